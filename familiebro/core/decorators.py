"""Access to staff pages: a logged-in staff member who has passed the second factor."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect


def second_factor_passed(request) -> bool:
    user = request.user
    if user.is_verified():
        return True
    # Demo accounts may skip the second factor, and only on a demo instance.
    return settings.DEMO_MODE and user.is_demo_account


def staff_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not second_factor_passed(request):
            return redirect("login-second-factor")
        return view(request, *args, **kwargs)

    return wrapped
