"""The seed council's six categories as the default scheme, and the four roles."""

from django.db import migrations

QUESTIONS = """What progress/ key actions have been made against each recommendation?
Are these actions pertinent to the measures required in the recommendation?
Have the actions been undertaken within the time scale allocated?
Are there any matters in the recommendation where progress is outstanding?
Is the Committee satisfied that sufficient progress has been made and that the recommendation has been achieved?"""

ANTICIPATED = (
    "An anticipated date by which the recommendation is expected to become achieved must be advised."
)

# (code, label, criteria, needs date, only before completion, warn after completion, achieved)
CATEGORIES = [
    ("1", "Achieved (Fully)",
     "The evidence provided shows that the recommendation has been fully implemented within the "
     "timescale specified.", False, False, True, True),
    ("2", "Achieved (Late)",
     "The evidence provided shows that the recommendation has been fully implemented but not within "
     "the timescale specified.", False, False, False, True),
    ("3", "Not Achieved (Progress Made)",
     "The evidence provided shows that the recommendation has not been fully achieved, but there has "
     "been significant progress made towards full achievement.\n" + ANTICIPATED, True, False, False, False),
    ("4", "Not Achieved (Obstacle)",
     "The evidence provided shows that the recommendation has not been fully achieved, but all "
     "possible action has been taken. Outstanding actions are prevented by obstacles beyond the "
     "control of the Council (such as passage of enabling legislation).", False, False, False, False),
    ("5", "Not Achieved (Insufficient Progress)",
     "The evidence provided shows that the recommendation has not been fully achieved and there has "
     "been insufficient progress made towards full achievement.\n" + ANTICIPATED, True, False, False, False),
    ("6", "In Progress",
     "It is not appropriate to monitor achievement of the recommendation at this time because the "
     "timescale specified has not yet expired.", False, True, False, False),
]

ROLES = ["Officer", "Cabinet Member", "Committee Member", "Scrutiny Office"]


def create(apps, schema_editor):
    Scheme = apps.get_model("tracker", "AssessmentScheme")
    Category = apps.get_model("tracker", "Category")
    Group = apps.get_model("auth", "Group")
    scheme, _ = Scheme.objects.get_or_create(
        name="Scrutiny tracking categories (1–6)",
        defaults={"guidance_questions": QUESTIONS, "is_default": True},
    )
    for position, (code, label, criteria, needs, before, warn, achieved) in enumerate(CATEGORIES, 1):
        Category.objects.update_or_create(
            scheme=scheme,
            code=code,
            defaults=dict(
                label=label, criteria=criteria, position=position, needs_anticipated_date=needs,
                only_before_completion=before, warn_after_completion=warn, counts_as_achieved=achieved,
            ),
        )
    for role in ROLES:
        Group.objects.get_or_create(name=role)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
