"""The audit actions in words: one label for every action the code writes to the audit log.

The history page shows an event by its label in the reader's language, never by its code (``accounts.login``).
The codes are written by every domain (``audit.record(action=...)``, the nomenclature's audit entries, the refusal
ledger, the provisioning state machines as ``provisioning.request.<action>`` and ``provisioning.task.<action>``, the
token scopes as ``<prefix>_created`` and ``<prefix>_revoked``); tests/history/test_action_labels.py collects them from
the code and fails when one has no label here or its label is untranslated in Romanian, Spanish or Swedish.
"""

from __future__ import annotations

from typing import Final

from app.kit.i18n import _

ACTION_LABELS: Final[dict[str, str]] = {
    "accounts.authorization_refused": _("refused access"),
    "accounts.authorization_refused_repeated": _("refused access again (repeated)"),
    "accounts.login": _("logged in"),
    "accounts.login_failed": _("login failed"),
    "accounts.login_throttled": _("login slowed down after failures"),
    "accounts.logout": _("logged out"),
    "accounts.organisation_created": _("organisation created"),
    "accounts.ownership_taken": _("API token taken over"),
    "accounts.password_changed": _("password changed"),
    "accounts.password_chosen": _("password chosen (account activated)"),
    "accounts.password_reset": _("password reset link issued"),
    "accounts.profile_changed": _("profile changed"),
    "accounts.user_created": _("user created"),
    "accounts.user_changed": _("user changed"),
    "accounts.user_reactivated": _("user reactivated"),
    "accounts.user_deactivated": _("user deactivated"),
    "accounts.user_deleted": _("user deleted"),
    "beds.free_beds_set": _("changed"),
    "beds.confirmed": _("confirmed unchanged"),
    "beds.hospital_added": _("hospital added"),
    "beds.hospital_changed": _("hospital changed"),
    "beds.hospital_retired": _("hospital retired"),
    "beds.section_added": _("section added"),
    "beds.section_changed": _("section changed"),
    "beds.section_retired": _("section retired"),
    "beds.nomenclature_applied": _("nomenclature import applied"),
    "beds.api_token_created": _("bed API token created"),
    "beds.api_token_revoked": _("bed API token revoked"),
    "notifications.read": _("notifications read"),
    "licenses.created": _("licence created"),
    "licenses.deactivated": _("licence deactivated"),
    "licenses.deactivation_warned": _("warned of licence deactivation"),
    "licenses.pool_set": _("licence pool set"),
    "licenses.reactivated": _("licence reactivated"),
    "licenses.usage_recorded": _("licence use recorded"),
    "licenses.usage_token_created": _("licence use token created"),
    "licenses.usage_token_revoked": _("licence use token revoked"),
    "orders.catalogue_version_added": _("order catalogue version added"),
    "orders.order_placed": _("IT order placed"),
    "orders.person_added": _("person added to an order"),
    "provisioning.calendar_set": _("working calendar set"),
    "provisioning.closure_day_added": _("closure day added"),
    "provisioning.request.created": _("request created"),
    "provisioning.request.overdue": _("request overdue"),
    "provisioning.request.submit": _("request submitted"),
    "provisioning.request.resubmit": _("request resubmitted"),
    "provisioning.request.accept": _("request accepted"),
    "provisioning.request.reject": _("request rejected"),
    "provisioning.request.start": _("work on request started"),
    "provisioning.request.ask_requester": _("requester asked a question"),
    "provisioning.request.answer": _("requester answered"),
    "provisioning.request.complete": _("request completed"),
    "provisioning.request.cancel": _("request cancelled"),
    "provisioning.task.complete": _("task done"),
    "provisioning.task.await_external": _("task waiting for external confirmation"),
    "provisioning.task.confirm": _("task confirmed externally"),
    "provisioning.task.skip": _("task not applicable"),
    "provisioning.task.fail": _("task failed"),
    "provisioning.task.retry": _("task retried"),
    "roles.assignment_activated": _("role assignment activated"),
    "roles.assignment_ended": _("role assignment ended"),
    "roles.assignment_rejected": _("role assignment rejected"),
    "roles.assignment_requested": _("role assignment requested"),
    "roles.catalogue_created": _("role catalogue created"),
    "roles.catalogue_imported": _("role catalogue imported"),
    "roles.catalogue_version_created": _("role catalogue version created"),
    "roles.competence_assigned": _("competence assigned"),
    "roles.competence_removed": _("competence removed"),
    "roles.employee_registered": _("employee registered"),
    "roles.unit_created": _("unit created"),
    "roles.unit_set": _("unit set"),
}
