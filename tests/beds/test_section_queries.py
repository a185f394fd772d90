"""Sections are read as plain columns by position: the columns must stay in SectionView's field order."""

from __future__ import annotations

import dataclasses

from app.beds.section_queries import SectionView, section_query


def test_the_columns_are_in_the_field_order_of_the_view() -> None:
    columns = [column.key for column in section_query().selected_columns]
    fields = [field.name for field in dataclasses.fields(SectionView)]
    assert columns[:-1] == fields[:-1]
    assert (columns[-1], fields[-1]) == ("retired_at", "retired")
