"""The calendar: a staff member's and their units' meetings by week and by month, and the
personal subscription address a calendar program fetches them from."""
