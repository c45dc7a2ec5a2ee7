"""The REST API's pages under /api/v1 (views, schemas, the OpenAPI document) and the account page
of API tokens. What the floor below needs of the API (the URL prefix, JSON errors, tokens, bearer
authentication) lives in `network.core.api`."""
