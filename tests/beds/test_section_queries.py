"""Sections are read as plain columns by position: the columns must stay in SectionView's field order."""

from __future__ import annotations

import dataclasses

from app.beds.section_queries import Admission, SectionView, section_query


def test_the_columns_are_in_the_field_order_of_the_view() -> None:
    columns = [column.key for column in section_query().selected_columns]
    fields = [field.name for field in dataclasses.fields(SectionView)]
    # The plain fields, then the section's and the hospital's admission (seven columns each, one field each).
    plain = fields.index("admission")
    assert columns[:plain] == fields[:plain]
    admission = [field.name for field in dataclasses.fields(Admission)]
    assert columns[plain:plain + 7] == [f"admission_{name}" for name in admission]
    assert columns[plain + 7:plain + 14] == columns[plain:plain + 7]  # the hospital's, of the same names
    assert (columns[-1], fields[-1]) == ("retired_at", "retired")
    assert len(columns) == plain + 14 + 1
