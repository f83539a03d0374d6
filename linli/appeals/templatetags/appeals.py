from django import template

from linli.appeals import selectors

register = template.Library()


@register.filter
def may_use_appeals(user) -> bool:
    return selectors.may_use_appeals(user)
