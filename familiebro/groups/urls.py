"""Pages of courses and appointment books: each sub-package's pages are included here."""

urlpatterns: list = []
