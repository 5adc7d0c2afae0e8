"""The code stage: codebook, studies, codings with validation, CMO configurations.

Functions on a review: the codebook (:func:`load_codebook`,
:func:`install_template`, :func:`import_codebook`, :func:`export_codebook`;
one code at a time: :func:`add_code`, :func:`edit_code`, :func:`remove_code`),
studies (:func:`add_study`, :func:`studies_from_included`,
:func:`list_studies`), excerpts and codings (:func:`add_excerpt`,
:func:`apply_code`, :func:`apply_codes`, :func:`set_coding_memo`,
:func:`validate_coding`, :func:`coding_agreement`) and
CMO configurations (:func:`add_cmoc`, :func:`list_cmocs`,
:func:`programme_theory`).  Modules: :mod:`~realist.code.codebook`,
:mod:`~realist.code.qdc`, :mod:`~realist.code.studies`,
:mod:`~realist.code.coding` and :mod:`~realist.code.cmoc`.  See
docs/coding.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .cmoc import (
        ROLES as ROLES,
    )
    from .cmoc import (
        CmocInfo as CmocInfo,
    )
    from .cmoc import (
        ProgrammeTheory as ProgrammeTheory,
    )
    from .cmoc import (
        add_cmoc as add_cmoc,
    )
    from .cmoc import (
        get_cmoc as get_cmoc,
    )
    from .cmoc import (
        list_cmocs as list_cmocs,
    )
    from .cmoc import (
        programme_theory as programme_theory,
    )
    from .cmoc import (
        theory_evidence as theory_evidence,
    )
    from .cmoc import (
        update_cmoc as update_cmoc,
    )
    from .codebook import (
        KINDS as KINDS,
    )
    from .codebook import (
        TEMPLATES as TEMPLATES,
    )
    from .codebook import (
        Code as Code,
    )
    from .codebook import (
        Codebook as Codebook,
    )
    from .codebook import (
        add_code as add_code,
    )
    from .codebook import (
        edit_code as edit_code,
    )
    from .codebook import (
        export_codebook as export_codebook,
    )
    from .codebook import (
        import_codebook as import_codebook,
    )
    from .codebook import (
        install_template as install_template,
    )
    from .codebook import (
        load_codebook as load_codebook,
    )
    from .codebook import (
        parse_codebook as parse_codebook,
    )
    from .codebook import (
        remove_code as remove_code,
    )
    from .codebook import (
        save_codebook as save_codebook,
    )
    from .codebook import (
        template as template,
    )
    from .coding import (
        CodeAgreement as CodeAgreement,
    )
    from .coding import (
        CodingInfo as CodingInfo,
    )
    from .coding import (
        ExcerptInfo as ExcerptInfo,
    )
    from .coding import (
        add_excerpt as add_excerpt,
    )
    from .coding import (
        apply_code as apply_code,
    )
    from .coding import (
        apply_codes as apply_codes,
    )
    from .coding import (
        coding_agreement as coding_agreement,
    )
    from .coding import (
        list_codings as list_codings,
    )
    from .coding import (
        list_excerpts as list_excerpts,
    )
    from .coding import (
        set_coding_memo as set_coding_memo,
    )
    from .coding import (
        validate_coding as validate_coding,
    )
    from .studies import (
        StudyInfo as StudyInfo,
    )
    from .studies import (
        add_study as add_study,
    )
    from .studies import (
        get_study as get_study,
    )
    from .studies import (
        link_record as link_record,
    )
    from .studies import (
        list_studies as list_studies,
    )
    from .studies import (
        resolve_study as resolve_study,
    )
    from .studies import (
        studies_from_included as studies_from_included,
    )
    from .studies import (
        study_info as study_info,
    )
    from .studies import (
        study_texts as study_texts,
    )
    from .studies import (
        update_study as update_study,
    )

_EXPORTS = {
    "apply_codes": ".coding",
    "set_coding_memo": ".coding",
    "add_code": ".codebook",
    "edit_code": ".codebook",
    "remove_code": ".codebook",
    "Code": ".codebook",
    "Codebook": ".codebook",
    "KINDS": ".codebook",
    "TEMPLATES": ".codebook",
    "export_codebook": ".codebook",
    "import_codebook": ".codebook",
    "install_template": ".codebook",
    "load_codebook": ".codebook",
    "parse_codebook": ".codebook",
    "save_codebook": ".codebook",
    "template": ".codebook",
    "StudyInfo": ".studies",
    "add_study": ".studies",
    "get_study": ".studies",
    "link_record": ".studies",
    "list_studies": ".studies",
    "resolve_study": ".studies",
    "studies_from_included": ".studies",
    "study_info": ".studies",
    "study_texts": ".studies",
    "update_study": ".studies",
    "CodeAgreement": ".coding",
    "CodingInfo": ".coding",
    "ExcerptInfo": ".coding",
    "add_excerpt": ".coding",
    "apply_code": ".coding",
    "coding_agreement": ".coding",
    "list_codings": ".coding",
    "list_excerpts": ".coding",
    "validate_coding": ".coding",
    "CmocInfo": ".cmoc",
    "ProgrammeTheory": ".cmoc",
    "ROLES": ".cmoc",
    "add_cmoc": ".cmoc",
    "list_cmocs": ".cmoc",
    "programme_theory": ".cmoc",
    "get_cmoc": ".cmoc",
    "update_cmoc": ".cmoc",
    "theory_evidence": ".cmoc",
}
__all__ = [
    "apply_codes",
    "set_coding_memo",
    "add_code",
    "edit_code",
    "remove_code",
    "CmocInfo",
    "Code",
    "CodeAgreement",
    "Codebook",
    "CodingInfo",
    "ExcerptInfo",
    "KINDS",
    "ProgrammeTheory",
    "ROLES",
    "StudyInfo",
    "TEMPLATES",
    "add_cmoc",
    "add_excerpt",
    "add_study",
    "apply_code",
    "coding_agreement",
    "export_codebook",
    "get_cmoc",
    "get_study",
    "import_codebook",
    "install_template",
    "link_record",
    "list_cmocs",
    "list_codings",
    "list_excerpts",
    "list_studies",
    "load_codebook",
    "parse_codebook",
    "programme_theory",
    "resolve_study",
    "save_codebook",
    "studies_from_included",
    "study_info",
    "study_texts",
    "template",
    "theory_evidence",
    "update_cmoc",
    "update_study",
    "validate_coding",
]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
