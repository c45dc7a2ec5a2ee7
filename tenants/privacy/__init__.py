"""Data-subject rights: a participant's data exported (JSON and printable), erased
(anonymised, history kept), and the partner's retention rules applied by a daily job."""
