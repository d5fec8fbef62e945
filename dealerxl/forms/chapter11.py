"""Chapter 11 知識管理 knowledge management: knowledge index, training material list, SOP
register with review dates, and lessons learned.
"""
from .model import Column as C, DateOrder, Enum, Form, Setting

ENUMS = [
    Enum("knowledge_category", ("policy", "process", "product", "market", "dealer", "training", "template",
                                "case_study")),
    Enum("access_level", ("public", "internal", "restricted")),
    Enum("material_format", ("slides", "video", "document", "e_learning", "case_study")),
    Enum("audience", ("staff", "dealer", "all")),
    Enum("document_status", ("draft", "in_review", "effective", "retired")),
]

FORMS = [
    Form(
        id="knowledge_index", chapter=11, section="11.1",
        columns=(
            C("doc_id", key=True, required=True, width=12),
            C("title", required=True, width=30),
            C("knowledge_category", "enum", required=True, enum="knowledge_category", width=14),
            C("team", "enum", enum="team", width=16),
            C("author", width=12),
            C("file_location", required=True, width=36),
            C("keywords", width=24),
            C("published_date", "date"),
            C("last_updated", "date"),
            C("access_level", "enum", required=True, enum="access_level"),
        ),
        rules=(DateOrder("published_date", "last_updated"),),
    ),
    Form(
        id="training_materials", chapter=11, section="11.2",
        columns=(
            C("material_id", key=True, required=True, width=12),
            C("title", required=True, width=30),
            C("training_topic", "enum", required=True, enum="training_topic", width=16),
            C("material_format", "enum", required=True, enum="material_format"),
            C("audience", "enum", required=True, enum="audience"),
            C("language", "enum", enum="language"),
            C("version", width=8),
            C("owner", width=12),
            C("last_updated", "date"),
            C("duration_hours", "number", min=0, max=200, unit="hours"),
            C("file_location", width=36),
        ),
    ),
    Form(
        id="sop_register", chapter=11, section="11.3",
        columns=(
            C("sop_id", key=True, required=True, width=12),
            C("title", required=True, width=30),
            C("step", "enum", enum="workflow_step", width=16),
            C("team", "enum", enum="team", width=16),
            C("version", required=True, width=8),
            C("owner", required=True, width=12),
            C("effective_date", "date", required=True),
            C("last_review_date", "date", required=True),
            C("review_interval_months", "int", required=True, min=1, max=60, unit="months"),
            C("next_review_date", "date",
              formula='IF({last_review_date}="","",EDATE({last_review_date},{review_interval_months}))'),
            C("document_status", "enum", required=True, enum="document_status"),
            C("file_location", width=36),
        ),
        rules=(DateOrder("effective_date", "last_review_date"),),
    ),
    Form(
        id="lessons_learned", chapter=11, section="11.4",
        columns=(
            C("lesson_id", key=True, required=True, width=12),
            C("lesson_date", "date", required=True),
            C("title", required=True, width=30),
            C("team", "enum", enum="team", width=16),
            C("knowledge_category", "enum", enum="knowledge_category", width=14),
            C("what_happened", width=36),
            C("root_cause", width=30),
            C("lesson", required=True, width=36),
            C("follow_up_action", width=30),
            C("owner", width=12),
            C("due_date", "date"),
            C("status", "enum", enum="task_status"),
        ),
        rules=(DateOrder("lesson_date", "due_date"),),
    ),
]

SETTINGS = [
    Setting("sop_review_warning_days", "knowledge", 30, unit="days", min=0, max=365),
    Setting("sop_default_review_months", "knowledge", 12, unit="months", min=1, max=60),
]
