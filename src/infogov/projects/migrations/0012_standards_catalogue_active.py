from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("projects", "0011_search_words_column")]

    operations = [
        migrations.AddField(
            model_name="standard",
            name="active",
            field=models.BooleanField(
                default=True, help_text="被代替或废止的标准不再供选择", verbose_name="现行有效"
            ),
        ),
    ]
