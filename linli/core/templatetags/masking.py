"""{% load masking %} then {{ resident.citizen_id|mask_citizen_id }}, |mask_phone, |mask_name."""

from django import template

from linli.core import masking

register = template.Library()

register.filter("mask_citizen_id", masking.mask_citizen_id)
register.filter("mask_phone", masking.mask_phone)
register.filter("mask_name", masking.mask_name)
