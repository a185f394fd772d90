"""beds: hospital types, hospitals, section types, sections, API tokens, idempotency keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:33:58.729560
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

# Reference data the approved list (nomenclature) refers to by code; an import may add more.
HOSPITAL_TYPES = [
    ("emergency", "Emergency hospital", "Spital clinic de urgență", "#c62828"),
    ("clinical", "Clinical hospital", "Spital clinic", "#1565c0"),
    ("specialised", "Specialised hospital or institute", "Spital de specialitate sau institut", "#2e7d32"),
    ("paediatric", "Children's hospital", "Spital de copii", "#ef6c00"),
]
SECTION_TYPES = [
    ("icu", "Anaesthesia and intensive care", "Anestezie și terapie intensivă"),
    ("surgery", "General surgery", "Chirurgie generală"),
    ("orthopaedics", "Orthopaedics and traumatology", "Ortopedie și traumatologie"),
    ("cardiology", "Cardiology", "Cardiologie"),
    ("coronary_icu", "Coronary intensive care", "Terapie intensivă coronarieni"),
    ("cardiac_surgery", "Cardiovascular surgery", "Chirurgie cardiovasculară"),
    ("neurology", "Neurology", "Neurologie"),
    ("neurosurgery", "Neurosurgery", "Neurochirurgie"),
    ("internal_medicine", "Internal medicine", "Medicină internă"),
    ("paediatrics", "Paediatrics", "Pediatrie"),
    ("obstetrics", "Obstetrics and gynaecology", "Obstetrică-ginecologie"),
    ("neonatology", "Neonatology", "Neonatologie"),
    ("urology", "Urology", "Urologie"),
    ("gastroenterology", "Gastroenterology", "Gastroenterologie"),
    ("pneumology", "Pneumology", "Pneumologie"),
    ("infectious", "Infectious diseases", "Boli infecțioase"),
    ("nephrology", "Nephrology", "Nefrologie"),
    ("burns", "Plastic surgery and burns", "Chirurgie plastică și arși"),
    ("psychiatry", "Psychiatry", "Psihiatrie"),
    ("ophthalmology", "Ophthalmology", "Oftalmologie"),
    ("ent", "Ear, nose and throat", "Otorinolaringologie"),
    ("haematology", "Haematology", "Hematologie"),
    ("oncology", "Oncology", "Oncologie"),
    ("toxicology", "Toxicology", "Toxicologie"),
]

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hospital_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("name_ro", sa.String(length=120), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hospital_types")),
        sa.UniqueConstraint("code", name=op.f("uq_hospital_types_code")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("owner", "key", name=op.f("uq_idempotency_keys_owner")),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idempotency_keys_created_at"), ["created_at"], unique=False)

    op.create_table(
        "section_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("name_ro", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_section_types")),
        sa.UniqueConstraint("code", name=op.f("uq_section_types_code")),
    )
    op.create_table(
        "hospitals",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("hospital_type_id", sa.Integer(), nullable=False),
        sa.Column("short_code", sa.String(length=20), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["hospital_type_id"], ["hospital_types.id"], name=op.f("fk_hospitals_hospital_type_id_hospital_types")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_hospitals_organisation_id_organisations")
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_hospitals")),
        sa.UniqueConstraint("short_code", name=op.f("uq_hospitals_short_code")),
    )
    with op.batch_alter_table("hospitals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hospitals_hospital_type_id"), ["hospital_type_id"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("hospital_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["hospital_id"], ["hospitals.organisation_id"], name=op.f("fk_api_tokens_hospital_id_hospitals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_hospital_id"), ["hospital_id"], unique=False)

    op.create_table(
        "sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hospital_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("section_type_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("total_beds", sa.Integer(), nullable=False),
        sa.Column("free_beds", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by", sa.String(length=120), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("free_beds BETWEEN -999 AND 9999", name=op.f("ck_sections_free_beds_range")),
        sa.CheckConstraint("total_beds BETWEEN 0 AND 9999", name=op.f("ck_sections_total_beds_range")),
        sa.ForeignKeyConstraint(
            ["hospital_id"], ["hospitals.organisation_id"], name=op.f("fk_sections_hospital_id_hospitals")
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["sections.id"], name=op.f("fk_sections_parent_id_sections")),
        sa.ForeignKeyConstraint(
            ["section_type_id"], ["section_types.id"], name=op.f("fk_sections_section_type_id_section_types")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sections")),
        sa.UniqueConstraint("hospital_id", "code", name=op.f("uq_sections_hospital_id")),
    )
    with op.batch_alter_table("sections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sections_hospital_id"), ["hospital_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sections_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sections_section_type_id"), ["section_type_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sections_updated_at"), ["updated_at"], unique=False)

    hospital_types = sa.table(
        "hospital_types",
        sa.column("code", sa.String),
        sa.column("name_en", sa.String),
        sa.column("name_ro", sa.String),
        sa.column("colour", sa.String),
    )
    op.bulk_insert(
        hospital_types,
        [dict(zip(("code", "name_en", "name_ro", "colour"), row, strict=True)) for row in HOSPITAL_TYPES],
    )
    section_types = sa.table(
        "section_types", sa.column("code", sa.String), sa.column("name_en", sa.String), sa.column("name_ro", sa.String)
    )
    op.bulk_insert(
        section_types, [dict(zip(("code", "name_en", "name_ro"), row, strict=True)) for row in SECTION_TYPES]
    )


def downgrade() -> None:
    with op.batch_alter_table("sections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sections_updated_at"))
        batch_op.drop_index(batch_op.f("ix_sections_section_type_id"))
        batch_op.drop_index(batch_op.f("ix_sections_parent_id"))
        batch_op.drop_index(batch_op.f("ix_sections_hospital_id"))

    op.drop_table("sections")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_hospital_id"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("hospitals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hospitals_hospital_type_id"))

    op.drop_table("hospitals")
    op.drop_table("section_types")
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_created_at"))

    op.drop_table("idempotency_keys")
    op.drop_table("hospital_types")
