"""Grading where courses already grade: Gradescope, PrairieLearn and GitHub Actions.

Each platform gets an export (what the instructor uploads) and an entry point (what the
platform runs per submission). Entry points grade through `mlkata grade --json` in a
child process, so the sandbox tiers and the `--unsafe-no-sandbox` refusal are the CLI's,
then turn the verdict into the platform's own results file.
"""
