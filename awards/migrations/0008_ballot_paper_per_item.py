"""A ballot paper holds one choice on one agenda item instead of a member's whole ballot: a whole ballot that
leaves out the items its member was recused from names that member. Papers are recreated: there are no
ballots to keep before the first session is held."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0007_council_sessions"),
    ]

    operations = [
        migrations.DeleteModel(name="BallotPaper"),
        migrations.CreateModel(
            name="BallotPaper",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                (
                    "choice",
                    models.CharField(
                        choices=[("agree", "Agree"), ("disagree", "Disagree"), ("abstain", "Abstain")],
                        max_length=8,
                        verbose_name="choice",
                    ),
                ),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="papers", to="awards.agendaitem"
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="papers",
                        to="awards.councilsession",
                    ),
                ),
            ],
            options={"verbose_name": "ballot paper", "verbose_name_plural": "ballot papers"},
        ),
    ]
