"""SQLAlchemy 2 typed ORM: the tracking schema.

Only the store package imports this module. Times are stored as epoch seconds
(double precision): compact, fast to compare, and identical on SQLite and
PostgreSQL. A NaN metric value is stored as NULL (SQLite cannot keep NaN) and read
back as NaN; metric values are otherwise never NULL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAME_LENGTH = 255
# 64-bit on PostgreSQL; SQLite's INTEGER is already 64-bit and must stay INTEGER
# for rowid aliasing.
BigInt = BigInteger().with_variant(Integer(), "sqlite")
KEY_LENGTH = 250

# Named constraints: Alembic can then alter/drop them by name on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, str: String(NAME_LENGTH)}


class ProjectRow(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)


class ExperimentRow(Base):
    __tablename__ = "experiments"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str]
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)
    # Bumped atomically (UPDATE ... RETURNING) to number iterations without races.
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class IterationRow(Base):
    __tablename__ = "iterations"
    __table_args__ = (
        UniqueConstraint("experiment_id", "number"),
        Index("ix_iterations_experiment_id_started_at", "experiment_id", "started_at"),
        Index("ix_iterations_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    experiment_id: Mapped[int] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE")
    )
    name: Mapped[str]
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[float] = mapped_column(Float)
    ended_at: Mapped[float | None] = mapped_column(Float)
    heartbeat_at: Mapped[float | None] = mapped_column(Float)
    model_name: Mapped[str | None] = mapped_column(String(1000))
    source_code: Mapped[str | None] = mapped_column(Text)
    cell_hash: Mapped[str | None] = mapped_column(String(64))
    execution_count: Mapped[int | None] = mapped_column(Integer)
    notebook_path: Mapped[str | None] = mapped_column(Text)
    environment: Mapped[dict[str, Any] | None]
    git: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    deleted_at: Mapped[float | None] = mapped_column(Float)


class ParamRow(Base):
    __tablename__ = "params"
    __table_args__ = (Index("ix_params_key", "key"),)

    iteration_id: Mapped[int] = mapped_column(
        ForeignKey("iterations.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
    value_type: Mapped[str] = mapped_column(String(16))


class MetricRow(Base):
    """Every point of every metric series (the learning curves)."""

    __tablename__ = "metrics"
    # Covering (value included): history reads and per-bucket extremes never touch the
    # table itself.
    __table_args__ = (Index("ix_metrics_iteration_id_key_step_value", "iteration_id", "key",
                            "step", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iteration_id: Mapped[int] = mapped_column(ForeignKey("iterations.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    value: Mapped[float | None] = mapped_column(Float)
    step: Mapped[int] = mapped_column(Integer)
    timestamp: Mapped[float] = mapped_column(Float)


class LatestMetricRow(Base):
    """The latest point per (iteration, key): what comparisons and sorting read."""

    __tablename__ = "latest_metrics"
    __table_args__ = (Index("ix_latest_metrics_key_value", "key", "value"),)

    iteration_id: Mapped[int] = mapped_column(
        ForeignKey("iterations.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    step: Mapped[int] = mapped_column(Integer)
    timestamp: Mapped[float] = mapped_column(Float)


class TagRow(Base):
    __tablename__ = "tags"

    iteration_id: Mapped[int] = mapped_column(
        ForeignKey("iterations.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)


class DatasetRow(Base):
    __tablename__ = "datasets"
    __table_args__ = (Index("ix_datasets_uri_digest", "uri", "digest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str]
    uri: Mapped[str] = mapped_column(Text)
    digest: Mapped[str | None] = mapped_column(String(80))
    size: Mapped[int | None] = mapped_column(BigInt)
    rows: Mapped[int | None] = mapped_column(BigInt)
    columns: Mapped[list[str] | None] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[float] = mapped_column(Float)


class IterationDatasetRow(Base):
    __tablename__ = "iteration_datasets"

    iteration_id: Mapped[int] = mapped_column(
        ForeignKey("iterations.id", ondelete="CASCADE"), primary_key=True
    )
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


# -- model registry (revision 0002) ---------------------------------------------------
STAGES = ("none", "staging", "production", "archived")


class RegisteredModelRow(Base):
    __tablename__ = "registered_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    # Bumped with UPDATE ... RETURNING: race-free version numbers, and the row lock
    # that serializes promotions of one model on PostgreSQL.
    last_version: Mapped[int] = mapped_column(Integer, default=0)


class ModelVersionRow(Base):
    __tablename__ = "model_versions"
    __table_args__ = (
        UniqueConstraint("model_id", "version"),
        # At most one production version per model, whatever the code does.
        Index("ix_model_versions_one_production", "model_id", unique=True,
              sqlite_where=text("stage = 'production'"),
              postgresql_where=text("stage = 'production'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("registered_models.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))  # iteration | upload
    iteration_id: Mapped[int | None] = mapped_column(
        ForeignKey("iterations.id", ondelete="SET NULL"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInt)
    format: Mapped[str] = mapped_column(String(16))  # pickle | joblib | skops
    flavor: Mapped[str | None] = mapped_column(String(64))
    model_class: Mapped[str | None] = mapped_column(String(1000))
    filename: Mapped[str | None]  # as uploaded: display only, never a path
    description: Mapped[str | None] = mapped_column(Text)
    metrics: Mapped[dict[str, Any] | None]
    params: Mapped[dict[str, Any] | None]
    datasets: Mapped[list[Any] | None] = mapped_column(JSON)
    created_at: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str | None]


class ModelAliasRow(Base):
    __tablename__ = "model_aliases"

    model_id: Mapped[int] = mapped_column(
        ForeignKey("registered_models.id", ondelete="CASCADE"), primary_key=True)
    alias: Mapped[str] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id", ondelete="CASCADE"))


class StageTransitionRow(Base):
    """The audit log: every stage change of every version."""

    __tablename__ = "stage_transitions"
    __table_args__ = (Index("ix_stage_transitions_model_id_at", "model_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("registered_models.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    from_stage: Mapped[str] = mapped_column(String(16))
    to_stage: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str]
    at: Mapped[float] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)


# -- monitoring (revision 0003) -------------------------------------------------------
class ReferenceProfileRow(Base):
    """A model version's compact reference: bin edges and counts, never raw data."""

    __tablename__ = "reference_profiles"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True)
    profile: Mapped[dict[str, Any]]
    source: Mapped[str | None] = mapped_column(Text)  # e.g. "train dataset <uri>", "frame"
    created_at: Mapped[float] = mapped_column(Float)


class PredictionRow(Base):
    """One logged prediction (or failed request) of a model version."""

    __tablename__ = "predictions"
    __table_args__ = (Index("ix_predictions_version_id_at", "version_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id", ondelete="CASCADE"))
    request_id: Mapped[str] = mapped_column(String(64), unique=True)
    at: Mapped[float] = mapped_column(Float)
    # A JSON array of values in the order of ``input_schemas.columns`` (revision 0007);
    # rows written before it (schema_id NULL) hold a JSON object of name -> value.
    inputs: Mapped[Any] = mapped_column(JSON, nullable=True)
    # No foreign key: adding one to a large SQLite table means copying it, and input
    # schemas are never deleted.
    schema_id: Mapped[int | None] = mapped_column(Integer)
    output: Mapped[str | None] = mapped_column(Text)  # JSON text of the model's output
    confidence: Mapped[float | None] = mapped_column(Float)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(8))  # ok | error
    error: Mapped[str | None] = mapped_column(Text)
    label: Mapped[str | None] = mapped_column(Text)  # JSON text of the ground truth
    label_at: Mapped[float | None] = mapped_column(Float)


class InputSchemaRow(Base):
    """The feature names of logged inputs, stored once rather than in every row."""

    __tablename__ = "input_schemas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of ``columns``
    columns: Mapped[list[str]] = mapped_column(JSON)


class PredictionBinRow(Base):
    """Counts per (version, minute, feature, bin), folded in at ingestion.

    Drift, volume, error rate and latency percentiles of any window are sums over
    these few rows instead of scans over millions of predictions. Special features:
    ``__prediction__``, ``__confidence__``, ``__latency__`` (log-spaced bins) and
    ``__status__`` (0 ok, 1 error).
    """

    __tablename__ = "prediction_bins"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True)
    minute: Mapped[int] = mapped_column(Integer, primary_key=True)
    feature: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    bin: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(BigInt)


# -- alerts (revision 0005) ------------------------------------------------------------
class AlertRuleRow(Base):
    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    trigger: Mapped[str] = mapped_column(String(32))
    scope_kind: Mapped[str] = mapped_column(String(16))  # project | experiment | model
    project: Mapped[str | None]
    experiment: Mapped[str | None]
    model: Mapped[str | None]
    condition: Mapped[dict[str, Any] | None]
    channel: Mapped[str] = mapped_column(String(16))  # email | webhook
    recipients: Mapped[list[Any] | None] = mapped_column(JSON)
    webhook_url: Mapped[str | None] = mapped_column(Text)
    cooldown_seconds: Mapped[float] = mapped_column(Float)
    digest: Mapped[bool] = mapped_column(default=False)
    notebook: Mapped[str | None] = mapped_column(Text)
    notebook_parameters: Mapped[dict[str, Any] | None]
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)


class AlertStateRow(Base):
    """Hysteresis and cooldown memory per (rule, subject): is it firing, since when."""

    __tablename__ = "alert_states"

    rule_id: Mapped[int] = mapped_column(
        ForeignKey("alert_rules.id", ondelete="CASCADE"), primary_key=True)
    subject: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    firing: Mapped[bool] = mapped_column(default=False)
    since: Mapped[float] = mapped_column(Float)
    last_value: Mapped[float | None] = mapped_column(Float)
    last_event_at: Mapped[float | None] = mapped_column(Float)


class AlertEventRow(Base):
    """The outbox: written before any delivery is attempted."""

    __tablename__ = "alert_events"
    __table_args__ = (Index("ix_alert_events_status_next_attempt_at", "status",
                            "next_attempt_at"),
                      Index("ix_alert_events_rule_id_fired_at", "rule_id", "fired_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # firing | resolved
    subject: Mapped[str] = mapped_column(String(KEY_LENGTH))
    fired_at: Mapped[float] = mapped_column(Float)
    payload: Mapped[dict[str, Any]]
    # pending | sending | sent | failed | suppressed | held | digested
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[float] = mapped_column(Float)
    lease_until: Mapped[float | None] = mapped_column(Float)
    sent_at: Mapped[float | None] = mapped_column(Float)
    last_error: Mapped[str | None] = mapped_column(Text)
    run_outcome: Mapped[dict[str, Any] | None]
    # Random per claim (revision 0010): renewals and completions of a claim whose lease
    # ran out, and that another deliverer took over, match no row.
    claim_token: Mapped[str | None] = mapped_column(String(32))


# -- metric rollups (revision 0006) -------------------------------------------------------
ROLLUP_STEPS = 256


class MetricRollupRow(Base):
    """Per (iteration, key, block of 256 steps): the count and the extreme points.

    Folded in as points are written, so the downsampled history of a
    million-point series reads a few thousand rows instead of scanning the series.
    """

    __tablename__ = "metric_rollups"

    iteration_id: Mapped[int] = mapped_column(
        ForeignKey("iterations.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    min_value: Mapped[float | None] = mapped_column(Float)
    min_step: Mapped[int | None] = mapped_column(Integer)
    max_value: Mapped[float | None] = mapped_column(Float)
    max_step: Mapped[int | None] = mapped_column(Integer)
