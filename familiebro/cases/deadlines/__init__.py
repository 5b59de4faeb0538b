"""Deadlines of a case: the rules that set them, the reminders that warn of them, the pages
that list them."""
