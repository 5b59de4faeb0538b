"""Access to staff pages: a logged-in staff member who has passed the second factor."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect

# Set at a login through the organisation's identity provider whose answer showed a second
# factor the organisation accepts (familiebro.accounts.services.log_in_by_provider).
PROVIDER_SECOND_FACTOR_SESSION_KEY = "familiebro_second_factor_by_provider"


def second_factor_passed(request) -> bool:
    user = request.user
    if user.is_verified():
        return True
    if user.is_authenticated and request.session.get(PROVIDER_SECOND_FACTOR_SESSION_KEY):
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
