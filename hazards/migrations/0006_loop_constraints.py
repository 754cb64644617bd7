# The rules of the loop as constraints, once 0005 has made the existing rows follow them.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('hazards', '0005_status_follows_data'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='hazard',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'reported'), _negated=True), ('five_complete', False), _connector='OR'), name='hazard_registered_until_five'),
        ),
        migrations.AddConstraint(
            model_name='hazard',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'closed'), _negated=True), models.Q(models.Q(('accepted_level', ''), _negated=True), models.Q(('acceptance_opinion', ''), _negated=True)), _connector='OR'), name='hazard_closed_is_accepted'),
        ),
        migrations.AddConstraint(
            model_name='hazard',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'closed'), models.Q(('acceptance_opinion', ''), ('accepted_by__isnull', True), ('accepted_level', ''), ('closed_at__isnull', True)), _connector='OR'), name='hazard_open_not_accepted'),
        ),
        migrations.AddConstraint(
            model_name='hazard',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('level', 'major'), ('status', 'closed'), _negated=True), ('accepted_level__in', ['city', 'province']), _connector='OR'), name='hazard_major_accepted_by_city'),
        ),
    ]
