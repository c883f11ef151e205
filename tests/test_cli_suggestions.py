"""Typos get help: the closest name, case and British spellings forgiven, and a bad flag
prints the usage of the command it was given to."""

from __future__ import annotations

import pytest

from grader.suggest import canonical, closest


def test_closest_forgives_case_british_spelling_and_typos():
    known = ["normalize", "cnn", "pipeline", "finetune"]
    assert closest("normalise", known) == "normalize"
    assert closest("CNN", known) == "cnn"
    assert closest("pipline", known) == "pipeline"
    assert closest("transformer", known) is None
    assert canonical("Normalisation") == "normalization"


def test_an_unknown_command_suggests_the_closest(mlkata):
    result = mlkata("stat", "--lang", "en")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: mlkata ")
    assert "invalid choice: 'stat'" in result.stderr and "Did you mean stats?" in result.stderr


def test_a_command_name_ignores_case(mlkata):
    result = mlkata("Topics", "--lang", "en", "--json")
    assert result.returncode == 0 and result.stdout.lstrip().startswith("[")


@pytest.mark.parametrize(
    ("args", "usage", "suggestion"),
    [
        (["grade", "--jsn"], "usage: mlkata grade ", "Did you mean --json?"),
        (["quiz", "--lnag", "zh"], "usage: mlkata quiz ", "Did you mean --lang?"),
        (["new", "question", "--topc", "cnn"], "usage: mlkata new question ", None),
    ],
)
def test_a_bad_flag_prints_that_subcommands_usage(mlkata, args, usage, suggestion):
    result = mlkata(*args)
    assert result.returncode == 2
    assert result.stderr.startswith(usage), result.stderr
    if suggestion:
        assert suggestion in result.stderr


def test_an_exercise_by_its_british_title_or_in_capitals_is_found(mlkata):
    for name in ("Normalise", "NORMALIZE"):
        result = mlkata("hint", name, "--lang", "en")
        assert result.returncode == 0, result.stderr
        assert "(normalize)" in result.stdout


def test_an_unknown_exercise_suggests_the_closest(mlkata):
    result = mlkata("hint", "normalis", "--lang", "en")
    assert result.returncode == 2
    assert "unknown exercise 'normalis'" in result.stderr
    assert "Did you mean normalize?" in result.stderr


def test_suggestions_speak_chinese_too(mlkata):
    result = mlkata("grade", "--jsn", "--lang", "zh")
    assert result.stderr.startswith("用法： mlkata grade ")
    assert "无法识别的参数：--jsn。你是不是想输入 --json？" in result.stderr


def test_each_command_is_found_in_the_module_that_registers_it():
    """`mlkata COMMAND` imports only COMMAND's module: the map must say where each is."""
    import argparse

    from grader import cli

    for module, commands in cli.COMMANDS.items():
        parser = cli.build_parser((module,))
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        assert tuple(action.choices) == commands, module
    assert cli._modules_for(["--lang", "zh", "grade", "x"]) == ("grader.cli.grade",)
    assert cli._modules_for(["grde"]) == cli.COMMAND_MODULES  # a typo: all, to suggest one
    assert cli._modules_for(["--help"]) == cli.COMMAND_MODULES
