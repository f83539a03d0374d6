"""{% load registry %}: small lookups the registry templates need."""

from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """{{ counts|get:value }}: a dict entry by a variable key."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def elderly(stats) -> int:
    """Residents aged 60 and over in a Stats row."""
    return sum(n for band, n in stats.by_age_band.items() if band in ("60-79", "80+"))


@register.filter
def may_use_registry(user) -> bool:
    """For the navigation: does the user see any part of the registry?"""
    from linli.registry.selectors import may_use_registry as allowed

    return allowed(user)
