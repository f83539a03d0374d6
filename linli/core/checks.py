"""System checks: a bad configuration file stops start-up with its message, not the first
appeal whose deadline needs it."""

from django.core import checks

from linli.core.env import ConfigError


@checks.register()
def working_calendar(app_configs, **kwargs):
    from linli.core import workcalendar

    try:
        workcalendar.check_configuration()
    except ConfigError as exc:
        return [
            checks.Error(str(exc), id="linli.E001", hint="Fix LINLI_HOLIDAYS_FILE or LINLI_OFFICE_HOURS.")
        ]
    return []
