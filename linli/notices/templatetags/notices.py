from django import template

from linli.notices.selectors import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    return unread_count(user=user)
