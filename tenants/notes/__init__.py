"""Case notes and attachments: what staff write and keep about a mentor, a mentee or a process."""
