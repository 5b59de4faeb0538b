"""Staff login: password, then the second factor."""

from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .decorators import second_factor_passed


class LoginView(auth_views.LoginView):
    template_name = "core/account/login.html"
    redirect_authenticated_user = True


def second_factor(request):
    if not request.user.is_authenticated:
        return redirect("login")
    if second_factor_passed(request):
        return redirect("staff-home")
    return render(request, "core/account/second_factor.html")


@require_POST
def logout(request):
    return auth_views.LogoutView.as_view(next_page="front-page")(request)
