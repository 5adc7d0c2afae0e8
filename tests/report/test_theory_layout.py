"""The programme theory layout shared by the report figure and the web page (pure: no store)."""

from __future__ import annotations

from realist.report.theory_layout import theory_layout

A = {"context": ["c1"], "mechanism": ["m1", "m2"], "outcome": ["o1"]}
B = {"context": ["c2"], "mechanism": ["m1"], "outcome": ["o1"]}
NO_MECHANISM = {"context": ["c3"], "mechanism": [], "outcome": ["o2"]}


def test_edges_join_neighbouring_roles_and_count_studies_not_statements() -> None:
    layout = theory_layout([("s1", A), ("s2", B), ("s3", NO_MECHANISM), (None, A)])
    assert layout.edges[("mechanism", "m1", "outcome", "o1")] == {"s1", "s2"}
    assert layout.edges[("context", "c1", "mechanism", "m2")] == {"s1"}
    assert layout.edges[("context", "c3", "outcome", "o2")] == {"s3"}  # no mechanism: context to outcome
    assert ("context", "c1", "outcome", "o1") not in layout.edges
    assert layout.order["mechanism"] == ["m1", "m2"]  # most studies first
    assert layout.top == 2


def test_scene_runs_each_edge_from_the_right_side_of_one_box_to_the_left_side_of_the_next() -> None:
    layout = theory_layout([("s1", A), ("s2", B)])
    scene = layout.scene(names={"m1": "Trust <and> bridging"}, box_width=200)
    boxes = {(n["role"], n["id"]): n for n in scene["nodes"]}
    assert boxes[("mechanism", "m1")]["label"] == "Trust <and> bridging"  # escaping is the template's job
    assert len(scene["nodes"]) == sum(len(v) for v in layout.order.values())
    for e in scene["edges"]:
        start, end = boxes[(e["from_role"], e["from"])], boxes[(e["to_role"], e["to"])]
        x0 = float(e["path"][1:].split(",")[0])
        x1 = float(e["path"].split(" ")[-1].split(",")[0])
        assert abs(x0 - (start["x"] + start["width"])) < 0.2
        assert abs(x1 - end["x"]) < 0.2
    widths = {len(e["studies"]): e["width"] for e in scene["edges"]}
    assert widths[2] > widths[1]  # more studies, a thicker line
    assert all(n["y"] >= 0 and n["y"] + n["height"] <= scene["height"] for n in scene["nodes"])


def test_no_study_cmocs_give_an_empty_layout() -> None:
    layout = theory_layout([(None, A)])
    assert layout.edges == {} and layout.scene()["nodes"] == []
