"""The codebook, code, cmoc and study command groups (see docs/coding.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ..code import cmoc as cm
from ..code import codebook as cb
from ..code import coding as cd
from ..code import studies as st
from .common import Context, echo_json, echo_table, pass_review

__all__ = ["COMMANDS"]

STUDY_HELP = "STUDY is a study id, key (ayon2017) or reference number ([40])."


# ---------------------------------------------------------------- codebook


@click.group("codebook")
def codebook() -> None:
    """The codebook: a tree of intervention, context, mechanism, outcome and other codes."""


@codebook.command("template")
@click.argument("name", type=click.Choice(cb.TEMPLATES), default="realist")
@click.option("--replace", is_flag=True, help="Overwrite a codebook the protocol already has.")
@pass_review
def template_cmd(ctx: Context, name: str, replace: bool) -> None:
    """Write a packaged template (realist: the reference review's framework) into the protocol."""
    book = cb.install_template(ctx.review(), name, replace=replace)
    click.echo(f"Wrote the {name} codebook ({len(book)} codes) into protocol.yaml.")


@codebook.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "qdc"]), default=None, help="Default: from the file's extension."
)
@click.option("--allow-removal", is_flag=True, help="Allow dropping codes that codings or CMOCs use.")
@pass_review
def import_cmd(ctx: Context, file: str, fmt: str | None, allow_removal: bool) -> None:
    """Replace the codebook with a CSV or REFI-QDA (.qdc) file's."""
    book = cb.import_codebook(ctx.review(), file, fmt, allow_removal=allow_removal)
    click.echo(f"Imported {len(book)} codes from {file}.")


@codebook.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "qdc"]),
    default=None,
    help="Default: from the output file's extension.",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@pass_review
def export_cmd(ctx: Context, fmt: str | None, output: str) -> None:
    """Write the codebook as CSV or as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, QualCoder ..."""
    n = cb.export_codebook(ctx.review(), output, fmt)
    click.echo(f"Wrote {n} codes to {output}.")


@codebook.command("show")
@click.option("--json", "as_json", is_flag=True)
@pass_review
def show_cmd(ctx: Context, as_json: bool) -> None:
    """Show the codebook as a tree."""
    book = cb.load_codebook(ctx.review())
    if as_json:
        echo_json(book.to_list())
        return
    if not len(book):
        click.echo("The codebook is empty: `realist codebook template realist` installs the template.")
    for code in book:
        depth = len(book.ancestors(code.id))
        flag = "" if code.codable else " (group)"
        click.echo(f"{'  ' * depth}{code.id}  [{code.kind}] {code.name}{flag}")


# ---------------------------------------------------------------- code


@click.group("code")
def code() -> None:
    """Apply codes to studies and excerpts, validate codings, and measure agreement."""


@code.command("apply")
@click.argument("study")
@click.argument("code_id", metavar="CODE")
@click.option("--coder", default=None, help="Who codes (default: the acting user, --as).")
@click.option("--excerpt", "excerpt_id", type=int, default=None, help="Code an existing excerpt.")
@click.option("--excerpt-start", type=int, default=None, help="Start offset of the span (0-based).")
@click.option("--excerpt-end", type=int, default=None, help="End offset of the span (exclusive).")
@click.option(
    "--in",
    "source",
    type=click.Choice(cd.SOURCES),
    default=None,
    help="Which text the span is in (default: the full text if any, else the abstract).",
)
@click.option("--record", "record_id", type=int, default=None, help="Which report of the study.")
@click.option("--page", type=int, default=None, help="Page of the span (default: from the full text).")
@click.option("--quote", default=None, help="Find the span by its text instead of offsets.")
@click.option("--memo", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_review
def apply_cmd(
    ctx: Context,
    study: str,
    code_id: str,
    coder: str | None,
    excerpt_id: int | None,
    excerpt_start: int | None,
    excerpt_end: int | None,
    source: str | None,
    record_id: int | None,
    page: int | None,
    quote: str | None,
    memo: str | None,
    as_json: bool,
) -> None:
    """Apply CODE to STUDY as a whole, or to a span of its text. STUDY: id, key or [ref]."""
    info = cd.apply_code(
        ctx.review(),
        study,
        code_id,
        coder=coder,
        memo=memo,
        excerpt_id=excerpt_id,
        start=excerpt_start,
        end=excerpt_end,
        source=source,
        record_id=record_id,
        quote=quote,
        page=page,
    )
    if as_json:
        echo_json(info.to_dict())
        return
    where = "the whole study"
    if info.excerpt:
        e = info.excerpt
        where = (
            f"excerpt {e.id} ({e.source} of record {e.record_id}, {e.start}-{e.end}"
            + (f", p. {e.page}" if e.page is not None else "")
            + ")"
        )
    click.echo(f"Coding {info.id}: {info.coder} coded {where} of {info.study_key} as {info.code}.")


@code.command("validate")
@click.argument("coding", type=int)
@click.argument("verdict", type=click.Choice(cd.VERDICTS))
@click.option("--coder", default=None, help="The validating (second) coder (default: --as).")
@click.option("--note", default=None)
@pass_review
def validate_cmd(ctx: Context, coding: int, verdict: str, coder: str | None, note: str | None) -> None:
    """A second coder agrees with or disputes CODING."""
    info = cd.validate_coding(ctx.review(), coding, validator=coder, verdict=verdict, note=note)
    click.echo(f"Coding {coding} ({info.code} in {info.study_key}) is now {info.status}.")


@code.command("list")
@click.option("--study", default=None, help=STUDY_HELP)
@click.option("--code", "code_id", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_review
def list_cmd(ctx: Context, study: str | None, code_id: str | None, as_json: bool) -> None:
    """List codings with their excerpts and validation status."""
    infos = cd.list_codings(ctx.review(), study=study, code=code_id)
    if as_json:
        echo_json([i.to_dict() for i in infos])
        return
    echo_table(
        [
            (
                i.id,
                i.study_key,
                i.code,
                i.coder,
                i.status,
                (i.excerpt.text.replace("\n", " ") if i.excerpt else "(whole study)"),
            )
            for i in infos
        ],
        ["id", "study", "code", "coder", "status", "excerpt"],
    )


@code.command("agreement")
@click.option("--json", "as_json", is_flag=True)
@pass_review
def agreement_cmd(ctx: Context, as_json: bool) -> None:
    """Inter-coder agreement per code: agreed, disputed, unvalidated, proportion agreement."""
    rows = cd.coding_agreement(ctx.review())
    if as_json:
        echo_json([r.to_dict() for r in rows])
        return
    echo_table(
        [
            (
                r.code,
                r.codings,
                r.agreed,
                r.disputed,
                r.unvalidated,
                "n/a" if r.proportion_agreement is None else f"{r.proportion_agreement:.2f}",
            )
            for r in rows
        ],
        ["code", "codings", "agreed", "disputed", "unvalidated", "agreement"],
    )


@code.command("excerpts")
@click.option("--study", default=None, help=STUDY_HELP)
@click.option("--json", "as_json", is_flag=True)
@pass_review
def excerpts_cmd(ctx: Context, study: str | None, as_json: bool) -> None:
    """List excerpts (their ids back CMOC elements: --excerpt CODE=ID)."""
    rows = cd.list_excerpts(ctx.review(), study=study)
    if as_json:
        echo_json([r.to_dict() for r in rows])
        return
    echo_table(
        [(e.id, e.study_id, e.record_id, e.source, e.page or "", e.text.replace("\n", " ")) for e in rows],
        ["id", "study", "record", "in", "page", "text"],
    )


# ---------------------------------------------------------------- cmoc


@click.group("cmoc")
def cmoc() -> None:
    """Context–mechanism–outcome configurations and the programme theory."""


@cmoc.command("add")
@click.argument("study")
@click.option("--intervention", multiple=True, help="Intervention code (repeatable).")
@click.option("--context", multiple=True, help="Context code (repeatable).")
@click.option("--mechanism", multiple=True, help="Mechanism code (repeatable).")
@click.option("--outcome", multiple=True, help="Outcome code (repeatable).")
@click.option("--statement", required=True, help="The configuration in one sentence.")
@click.option("--memo", default=None)
@click.option(
    "--excerpt",
    "excerpts",
    multiple=True,
    metavar="CODE=EXCERPT_ID",
    help="Back an element with an excerpt (repeatable).",
)
@click.option("--stance", type=click.Choice(cm.STANCES), default="supports", show_default=True)
@click.option("--contradicts", multiple=True, metavar="CODE", help="An element the evidence contradicts.")
@click.option("--based-on", multiple=True, type=int, help="For a review statement: a study CMOC id it draws on.")
@click.option("--json", "as_json", is_flag=True)
@pass_review
def cmoc_add_cmd(
    ctx: Context,
    study: str,
    intervention: tuple[str, ...],
    context: tuple[str, ...],
    mechanism: tuple[str, ...],
    outcome: tuple[str, ...],
    statement: str,
    memo: str | None,
    excerpts: tuple[str, ...],
    stance: str,
    contradicts: tuple[str, ...],
    based_on: tuple[int, ...],
    as_json: bool,
) -> None:
    """Add a CMOC to STUDY; STUDY `review` stores a review-level programme theory statement."""
    info = cm.add_cmoc(
        ctx.review(),
        None if study == "review" else study,
        intervention=intervention,
        context=context,
        mechanism=mechanism,
        outcome=outcome,
        statement=statement,
        memo=memo,
        excerpts=list(excerpts),
        stance=stance,
        contradicts=contradicts,
        based_on=based_on,
    )
    if as_json:
        echo_json(info.to_dict())
        return
    click.echo(f"CMOC {info.id} ({info.study_key or 'review-level statement'}): {info.statement}")


@cmoc.command("list")
@click.option("--study", default=None, help=STUDY_HELP)
@click.option("--json", "as_json", is_flag=True)
@pass_review
def cmoc_list_cmd(ctx: Context, study: str | None, as_json: bool) -> None:
    """List CMOCs: each study's, then the review-level statements."""
    infos = cm.list_cmocs(ctx.review(), study=study)
    if as_json:
        echo_json([i.to_dict() for i in infos])
        return
    for i in infos:
        who = i.study_key or "REVIEW"
        ref = f" [{i.ref_number}]" if i.ref_number else ""
        click.echo(f"{i.id}. {who}{ref} ({i.stance}): {i.statement}")
        for role in cm.ROLES:
            codes = ", ".join(
                e["code"]
                + ("(-)" if e["stance"] == "contradicts" else "")
                + (f" <{','.join(map(str, e['excerpt_ids']))}>" if e["excerpt_ids"] else "")
                for e in i.elements[role]
            )
            click.echo(f"     {role[0].upper()}: {codes or '-'}")


@cmoc.command("theory")
@click.option(
    "--by",
    default="intervention,mechanism,outcome",
    show_default=True,
    help="Roles whose codes form a group's key (comma-separated).",
)
@click.option("--rollup", is_flag=True, help="Group by each code's highest codable ancestor.")
@click.option("--json", "as_json", is_flag=True)
@pass_review
def theory_cmd(ctx: Context, by: str, rollup: bool, as_json: bool) -> None:
    """The programme theory: recurring configurations across studies, with support."""
    theory = cm.programme_theory(ctx.review(), by=[r.strip() for r in by.split(",") if r.strip()], rollup=rollup)
    if as_json:
        echo_json(theory.to_dict())
        return
    click.echo(theory.rule)
    for g in theory.groups:
        key = " + ".join(f"{k or '-'}" for k in g.key.values())
        sup = ", ".join(s["key"] + (f" [{s['ref_number']}]" if s["ref_number"] else "") for s in g.supporting)
        line = f"{g.n_supporting} studies: {key} — {sup or 'none'}"
        if g.contradicting:
            line += "; contradicted by " + ", ".join(s["key"] for s in g.contradicting)
        click.echo(line)
    for s in theory.statements:
        click.echo(f"Statement {s['id']}: {s['statement']}")
        click.echo("  supported in full by: " + (", ".join(x["key"] for x in s["supporting_studies"]) or "none"))


# ---------------------------------------------------------------- study


@click.group("study")
def study() -> None:
    """Studies: the unit of synthesis, each reported by one or more records."""


def _study_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed(
        [
            click.option("--key", default=None, help="Short stable label (default: surname + year)."),
            click.option("--label", default=None),
            click.option("--design", default=None),
            click.option("--countries", default=None, help="ISO3 codes, comma-separated (e.g. KEN,VNM)."),
            click.option("--ref", "ref_number", type=int, default=None, help="Reference number in the manuscript."),
            click.option("--year", type=int, default=None),
        ]
    ):
        f = opt(f)
    return f


def _countries(text: str | None) -> list[str] | None:
    return None if text is None else [c for c in text.split(",") if c.strip()]


@study.command("add")
@click.argument("record", type=int)
@_study_options
@pass_review
def study_add_cmd(
    ctx: Context,
    record: int,
    key: str | None,
    label: str | None,
    design: str | None,
    countries: str | None,
    ref_number: int | None,
    year: int | None,
) -> None:
    """Create a study whose first report is RECORD."""
    info = st.add_study(
        ctx.review(),
        record,
        key=key,
        label=label,
        design=design,
        countries=_countries(countries),
        ref_number=ref_number,
        year=year,
    )
    click.echo(f"Study {info.id} ({info.key}): {info.label}")


@study.command("link")
@click.argument("study_ref", metavar="STUDY")
@click.argument("record", type=int)
@pass_review
def study_link_cmd(ctx: Context, study_ref: str, record: int) -> None:
    """Add RECORD as a further report of STUDY."""
    info = st.link_record(ctx.review(), study_ref, record)
    click.echo(f"Study {info.key} is reported by records {', '.join(map(str, info.record_ids))}.")


@study.command("set")
@click.argument("study_ref", metavar="STUDY")
@_study_options
@pass_review
def study_set_cmd(
    ctx: Context,
    study_ref: str,
    key: str | None,
    label: str | None,
    design: str | None,
    countries: str | None,
    ref_number: int | None,
    year: int | None,
) -> None:
    """Set design, countries, reference number ... of STUDY."""
    info = st.update_study(
        ctx.review(),
        study_ref,
        key=key,
        label=label,
        design=design,
        countries=_countries(countries),
        ref_number=ref_number,
        year=year,
    )
    click.echo(f"Study {info.id} ({info.key}) updated.")


@study.command("from-included")
@pass_review
def study_from_included_cmd(ctx: Context) -> None:
    """One study per record included at the last screening stage (records in a study are skipped)."""
    made = st.studies_from_included(ctx.review())
    click.echo(f"Created {len(made)} studies" + (": " + ", ".join(s.key for s in made) if made else "."))


@study.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_review
def study_list_cmd(ctx: Context, as_json: bool) -> None:
    """List studies with their reports, design and countries."""
    infos = st.list_studies(ctx.review())
    if as_json:
        echo_json([i.to_dict() for i in infos])
        return
    echo_table(
        [
            (
                i.id,
                i.key,
                i.ref_number or "",
                ",".join(map(str, i.record_ids)),
                ",".join(i.countries),
                i.design or "",
                i.label,
            )
            for i in infos
        ],
        ["id", "key", "ref", "records", "countries", "design", "label"],
    )


COMMANDS = [codebook, code, cmoc, study]
