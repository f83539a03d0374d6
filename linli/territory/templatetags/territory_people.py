"""{% load territory_people %}: the node page's responsible people and places.

Inclusion tags rather than context from territory/views.py, so that the same card is
rendered inside the node page and alone after an htmx write (places_views.py)."""

from django import template

from linli.territory import selectors
from linli.territory.choices import GRID_KINDS
from linli.territory.models import PlaceKind
from linli.territory.places_views import people_card_context

register = template.Library()


@register.inclusion_tag("territory/responsibility_card.html", takes_context=True)
def people_card(context, node):
    return people_card_context(context["request"].user, node)


@register.inclusion_tag("territory/place_stats.html", takes_context=True)
def people_and_place_stats(context, node):
    """Stat tiles for the node page: grid workers and places by kind (non-zero ones)."""
    user = context["request"].user
    places = selectors.place_counts(node=node)
    return {
        "node": node,
        "people": selectors.responsibility_counts(node=node),
        "places": [(kind, label, places[kind]) for kind, label in PlaceKind.choices if places[kind]],
        "small_shops": places["small_shops"],
        "total_places": places["total"],
        "can_add_place": node.kind in GRID_KINDS
        and node.retired_at is None
        and (user.is_superuser or user.grants.allows("territory", "add", node.path)),
    }
