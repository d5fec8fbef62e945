"""Templates out and back: issuing one signed template per recipient, collecting the returns.

``issue_templates`` (:mod:`.issue`) writes one file per dealer or colleague from a shared
form's declaration, with the recipient and period filled and locked and a signed manifest
on a very hidden sheet (:mod:`.manifest`). ``collect_files`` (:mod:`.collect`) checks each
returned file against its manifest and form, loads the accepted rows into the history
store (one transaction per file), archives every file under its checksum and reports
what was accepted, rejected, replaced and who is still missing.
"""
from .collect import CollectResult, collect_files
from .issue import issue_templates, shared_forms
from .manifest import KEY_VARIABLE, department_key, form_version, key_path

__all__ = ["KEY_VARIABLE", "CollectResult", "collect_files", "department_key", "form_version", "issue_templates",
           "key_path", "shared_forms"]
