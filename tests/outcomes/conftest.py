"""The processes' fixtures (a partner, processes in any state), shared with the outcome tests."""
from tests.processes.conftest import partner, process_in  # noqa: F401
