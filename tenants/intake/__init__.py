"""The intake questionnaire: versioned question sets per role from the coordination team,
optional questions a partner adds, and each participant's answers."""
