from django.conf import settings


def instance(request):
    return {"demo_mode": settings.DEMO_MODE}
