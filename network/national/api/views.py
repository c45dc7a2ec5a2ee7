"""/api/v1: the endpoints. Thin, like the pages: validate with the forms' schemas, call the
same services, dump with the API's output schemas."""
import math
from functools import partial

import sqlalchemy as sa
from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from network.core.api import API_URL_PREFIX
from network.core.api.auth import api_endpoint, ignore_session_user
from network.core.api.errors import ApiError
from network.core.extensions import csrf, db, limiter
from network.core.reference.services import support_areas_by_code
from network.core.submit import submit, submitted_key
from network.core.tenancy.web import resolves_tenant_after_authentication
from network.core.validation import load_form
from network.national.api import schemas
from network.national.dashboards.impact import impact_data
from network.national.dashboards.services import dashboard_data, dashboard_scope, parse_filters
from tenants.activities import services as activities
from tenants.activities.models import Activity, NetworkActivity
from tenants.participants import services as participants
from tenants.participants.schemas import PARTICIPANT_SCHEMAS
from tenants.processes import services as processes
from tenants.processes.models import Meeting
from tenants.processes.schemas import MeetingSchema

bp = Blueprint("api", __name__, url_prefix=API_URL_PREFIX)
resolves_tenant_after_authentication(bp)
csrf.exempt(bp)  # no session authenticates here: there is nothing to forge
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"])(bp)
TENANT = "/t/<tenant_slug>"


@bp.url_value_preprocessor
def _no_session(endpoint, values):
    ignore_session_user()


@bp.after_request
def _never_cached(response):
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept-Language")
    return response


def documented(summary, tag, query=None, body=None, response=None, status=200, example=None):
    """What the OpenAPI document says about a view (network.national.api.spec reads it)."""

    def decorator(view):
        view.api_doc = {"summary": summary, "tag": tag, "query": query, "body": body, "response": response,
                        "status": status, "example": example}
        return view

    return decorator


# --- reading and writing JSON ------------------------------------------------------

def _query(schema_class):
    loaded, errors = load_form(schema_class(), request.args.to_dict())
    if errors:
        raise ApiError(400, error_code="invalid_query", details=errors)
    return loaded


def _body(schema_class):
    if not request.is_json:
        raise ApiError(415)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, _("The body must be a JSON object."), error_code="invalid_json")
    loaded, errors = load_form(schema_class(), data)  # as the forms: surrounding spaces dropped
    if errors:
        raise ApiError(422, details=errors)
    return loaded


def _submitted(outcome, replay):
    """The API's side of the submit path: a refusal becomes its JSON error (a form's messages
    per field: 422), a replayed `Idempotency-Key` the first request's result (`replay(id)`)."""
    if outcome.replayed:
        return replay(outcome.replayed[1])
    refusal = outcome.refusal
    if refusal is None:
        return outcome.result
    if refusal.status == 400:
        raise ApiError(422, details=refusal.errors)
    raise ApiError(refusal.status, refusal.message, error_code=getattr(refusal, "error_code", None))


def _page(items, schema_class, page, per_page, total):
    pages = max(1, math.ceil(total / per_page))
    args = {**request.args.to_dict(), "per_page": per_page}
    link = partial(url_for, request.endpoint, **(request.view_args or {}))
    body = {
        "items": schema_class(many=True).dump(items),
        "page": page, "per_page": per_page, "total": total, "pages": pages,
        "links": {
            "self": link(**{**args, "page": page}),
            "first": link(**{**args, "page": 1}),
            "last": link(**{**args, "page": pages}),
            "next": link(**{**args, "page": page + 1}) if page < pages else None,
            "prev": link(**{**args, "page": min(page - 1, pages)}) if page > 1 else None,
        },
    }
    return jsonify(body)


def _paginate(statement, query, schema_class):
    result = db.paginate(statement, page=query["page"], per_page=query["per_page"], error_out=False,
                         max_per_page=schemas.MAX_PER_PAGE, count=True)
    return _page(result.items, schema_class, query["page"], query["per_page"], result.total or 0)


def _found(row):
    if row is None:
        raise ApiError(404)
    return row


# --- the OpenAPI document --------------------------------------------------------------

@bp.get("/openapi.json")
def openapi():
    from network.national.api.spec import openapi_document

    return jsonify(openapi_document())


# --- mentors and mentees ------------------------------------------------------------------

OUT_SCHEMAS = {"mentor": schemas.MentorOutSchema, "mentee": schemas.MenteeOutSchema}
EXAMPLES = {
    "mentor": {"full_name": "Marta Silva", "email": "marta.silva@example.pt", "phone": "+351 912 345 678",
               "municipality": "Lisboa", "professional_area": "Recursos humanos", "hours_per_week": 2,
               "languages": [{"code": "en", "level": "c1"}], "support_areas": ["qualification_job_search"],
               "availability_days": ["tue", "thu"], "availability_periods": ["evening"]},
    "mentee": {"full_name": "Amina Haddad", "email": "amina.haddad@example.pt", "municipality": "Amadora",
               "country_of_origin": "MA", "arrival_year": 2024, "portuguese_level": "a2",
               "languages": [{"code": "ar", "level": "native"}], "support_areas": ["housing", "portuguese_language"],
               "residence_status": "residence_permit", "age_band": "25_34"},
}
MEETING_EXAMPLE = {"held_on": "2026-02-10", "duration_minutes": 60, "mode": "in_person", "topics": ["housing"],
                   "notes": "Preparámos a visita a um apartamento."}
TAGS = {"mentor": "Mentors", "mentee": "Mentees"}


def _participant(role, participant_id):
    participant = _found(participants.get_participant(role, participant_id))
    submit(participants.record_participant_read, participant, current_user)
    return participant


def _register_participant_routes(role):
    plural = f"{role}s"
    item_rule = f"{TENANT}/{plural}/<id:{role}_id>"
    list_view, create_view = _collection_views(role)
    detail_view, update_view = _item_views(role)
    bp.add_url_rule(f"{TENANT}/{plural}", f"{role}_list", list_view, methods=["GET"])
    bp.add_url_rule(f"{TENANT}/{plural}", f"{role}_create", create_view, methods=["POST"])
    bp.add_url_rule(item_rule, f"{role}_detail", detail_view, methods=["GET"])
    bp.add_url_rule(item_rule, f"{role}_update", update_view, methods=["PUT"])


def _collection_views(role):
    out, tag, plural = OUT_SCHEMAS[role], TAGS[role], f"{role}s"

    @documented(f"List the workspace's {plural}", tag, query=schemas.ParticipantQuerySchema,
                response=schemas.page_of(out))
    @api_endpoint("participants.manage", "participants:read")
    def list_view():
        query = _query(schemas.ParticipantQuerySchema)
        page = participants.list_participants(role, participants.ParticipantQuery.from_filters(query, current_user.id),
                                              per_page=query["per_page"])
        items = [participant for participant, _consented in page.rows] if page.page == query["page"] else []
        return _page(items, out, query["page"], query["per_page"], page.total)

    @documented(f"Register a {role}", tag, body=PARTICIPANT_SCHEMAS[role], response=out, status=201,
                example=EXAMPLES[role])
    @api_endpoint("participants.manage", "participants:write")
    def create_view():
        data = _body(PARTICIPANT_SCHEMAS[role])
        outcome = submit(participants.create_participant, role, data, current_user, once=submitted_key(),
                         location=lambda created: url_for(f"api.{role}_detail", **{f"{role}_id": created.id}))
        participant = _submitted(outcome, lambda record_id: _found(participants.get_participant(role, record_id)))
        location = url_for(f"api.{role}_detail", **{f"{role}_id": participant.id})
        return jsonify(out().dump(participant)), 201, {"Location": location}

    return list_view, create_view


def _item_views(role):
    out, tag = OUT_SCHEMAS[role], TAGS[role]

    @documented(f"One {role} (each read is in the audit log)", tag, response=out)
    @api_endpoint("participants.manage", "participants:read")
    def detail_view(**ids):
        return jsonify(out().dump(_participant(role, ids[f"{role}_id"])))

    @documented(f"Change a {role} (every field, as the form sends them)", tag, body=PARTICIPANT_SCHEMAS[role],
                response=out, example=EXAMPLES[role])
    @api_endpoint("participants.manage", "participants:write")
    def update_view(**ids):
        participant = _found(participants.get_participant(role, ids[f"{role}_id"]))
        data = _body(PARTICIPANT_SCHEMAS[role])
        # An `If-Match` header (the `row_version` read) refuses the change when someone saved since.
        version = request.headers.get("If-Match", "").strip('"W/ ')
        _submitted(submit(participants.update_participant, participant, data, current_user,
                          version=(participant, int(version)) if version.isdigit() else None), None)
        return jsonify(out().dump(participant))

    return detail_view, update_view


for _role in ("mentor", "mentee"):
    _register_participant_routes(_role)


# --- mentoring processes and their meetings -----------------------------------------------

@bp.get(f"{TENANT}/processes")
@documented("List the mentoring processes", "Processes", query=schemas.ProcessQuerySchema,
            response=schemas.page_of(schemas.ProcessOutSchema))
@api_endpoint("processes.manage", "processes:read")
def process_list():
    query = _query(schemas.ProcessQuerySchema)
    statement = processes.process_query(query["state"], query["attention"], query["q"])
    return _paginate(statement, query, schemas.ProcessOutSchema)


@bp.get(f"{TENANT}/processes/<id:process_id>")
@documented("One mentoring process, with its current agreement", "Processes",
            response=schemas.ProcessDetailOutSchema)
@api_endpoint("processes.manage", "processes:read")
def process_detail(process_id):
    return jsonify(schemas.ProcessDetailOutSchema().dump(_found(processes.get_process(process_id))))


@bp.get(f"{TENANT}/processes/<id:process_id>/meetings")
@documented("The meetings of a mentoring process, newest first", "Processes", query=schemas.PageQuerySchema,
            response=schemas.page_of(schemas.MeetingOutSchema))
@api_endpoint("processes.manage", "processes:read")
def meeting_list(process_id):
    query = _query(schemas.PageQuerySchema)
    process = _found(processes.get_process(process_id))
    statement = (sa.select(Meeting).where(Meeting.process_id == process.id)
                 .order_by(Meeting.held_on.desc(), Meeting.id.desc()))
    return _paginate(statement, query, schemas.MeetingOutSchema)


@bp.post(f"{TENANT}/processes/<id:process_id>/meetings")
@documented("Log a meeting of a mentoring process", "Processes", body=MeetingSchema,
            response=schemas.MeetingOutSchema, status=201, example=MEETING_EXAMPLE)
@api_endpoint("processes.manage", "processes:write")
def meeting_create(process_id):
    process = _found(processes.get_process(process_id))
    data = _body(MeetingSchema)
    if set(data["topics"]) - set(support_areas_by_code()):
        raise ApiError(422, details={"topics": [_("Choose topics from the list.")]})
    outcome = submit(processes.log_meeting, process, data, current_user, "staff", once=submitted_key())
    if outcome.refusal and isinstance(outcome.refusal, processes.ProcessRefused):
        raise ApiError(409, outcome.refusal.message, error_code="process_refused")
    meeting = _submitted(outcome, lambda record_id: _found(db.session.get(Meeting, record_id)))
    return jsonify(schemas.MeetingOutSchema().dump(meeting)), 201


# --- activities ---------------------------------------------------------------------------

@bp.get(f"{TENANT}/activities")
@documented("List the partner's own activities, newest first", "Activities", query=schemas.PageQuerySchema,
            response=schemas.page_of(schemas.ActivityOutSchema))
@api_endpoint("activities.view", "activities:read")
def activity_list():
    query = _query(schemas.PageQuerySchema)
    statement = sa.select(Activity).order_by(Activity.held_on.desc(), Activity.id.desc())
    return _paginate(statement, query, schemas.ActivityOutSchema)


@bp.get(f"{TENANT}/activities/<id:activity_id>")
@documented("One of the partner's activities", "Activities", response=schemas.ActivityOutSchema)
@api_endpoint("activities.view", "activities:read")
def activity_detail(activity_id):
    return jsonify(schemas.ActivityOutSchema().dump(_found(activities.get_activity(activity_id))))


@bp.get(f"{TENANT}/network-activities")
@documented("List the network's activities (run by the national coordination), newest first", "Activities",
            query=schemas.PageQuerySchema, response=schemas.page_of(schemas.NetworkActivityOutSchema))
@api_endpoint("activities.view", "activities:read")
def network_activity_list():
    query = _query(schemas.PageQuerySchema)
    statement = sa.select(NetworkActivity).order_by(NetworkActivity.held_on.desc(), NetworkActivity.id.desc())
    return _paginate(statement, query, schemas.NetworkActivityOutSchema)


@bp.get(f"{TENANT}/network-activities/<id:network_activity_id>")
@documented("One of the network's activities", "Activities", response=schemas.NetworkActivityOutSchema)
@api_endpoint("activities.view", "activities:read")
def network_activity_detail(network_activity_id):
    activity = _found(activities.get_network_activity(network_activity_id))
    return jsonify(schemas.NetworkActivityOutSchema().dump(activity))


# --- aggregates ---------------------------------------------------------------------------

def _aggregates_body(data):
    return {**data, **{key: [{**table, "rows": [str(row) for row in table["rows"]]} for table in data[key]]
                       for key in ("tables", "impact") if key in data}}


@bp.get(f"{TENANT}/aggregates")
@documented("The dashboard's figures: national ones in the coordination workspace, the partner's own "
            "elsewhere; every count of people is the published one (docs/disclosure.md)", "Aggregates",
            query=schemas.AggregatesQuerySchema, response=schemas.AggregatesSchema)
@api_endpoint("dashboards.view", "aggregates:read")
def aggregates():
    national = dashboard_scope(g.tenant, g.roles)
    if national is None:
        raise ApiError(404)
    filters, errors = parse_filters(request.args, national)
    if errors:
        raise ApiError(400, error_code="invalid_query", details=errors)
    data = dashboard_data(filters, None if national else g.tenant.id)
    # The impact tables (network.national.dashboards.impact): published counts nationally, exact for a partner.
    data = {**data, "impact": impact_data(filters, None if national else g.tenant.id)["tables"]}
    return jsonify(schemas.AggregatesSchema().dump(_aggregates_body(data)))
