import time

import pytest

from grader import yamlsource
from grader.yamlsource import SourceError, load


def write(tmp_path, data: bytes | str, name="bank.yaml"):
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def refusal(path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        load(path)
    return caught.value


def test_every_key_and_item_keeps_its_line(tmp_path):
    data = load(write(tmp_path, "a: 1\nitems:\n  - x\n  -\n    k: v\n"))
    assert data == {"a": 1, "items": ["x", {"k": "v"}]}
    assert data.lines == {"a": 1, "items": 2}
    assert data["items"].lines == [3, 5]
    assert data["items"][1].lines == {"k": 5}


def test_invalid_yaml_names_the_line(tmp_path):
    error = refusal(write(tmp_path, "a: [1, 2\nb: 3\n"))
    assert error.line == 2
    assert "invalid YAML" in error.message


def test_bytes_that_are_not_utf8_name_their_line(tmp_path):
    error = refusal(write(tmp_path, b"a: 1\nb: 2\nc: caf\xe9\n"))
    assert (error.line, error.message.split(" (")[0]) == (3, "not UTF-8")
    assert str(error).endswith("bank.yaml:3: not UTF-8 (byte 0xe9); save the file as UTF-8")


def test_duplicate_keys_are_refused(tmp_path):
    error = refusal(write(tmp_path, "a: 1\nb: 2\na: 3\n"))
    assert (error.line, error.message) == (3, "duplicate key 'a' (first at line 1)")


def test_aliases_are_refused_so_a_billion_laughs_costs_nothing(tmp_path):
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    path = write(tmp_path, "\n".join(lines) + "\n")
    started = time.perf_counter()
    error = refusal(path)
    assert time.perf_counter() - started < 1
    assert error.line == 2
    assert error.message == "YAML aliases (*a) are not allowed here; write the value out"


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: reading it all would be slow and big
    started = time.perf_counter()
    error = refusal(path)
    assert time.perf_counter() - started < 1
    assert error.line is None and "the limit is 2.0 MB" in error.message


def test_deep_nesting_is_refused(tmp_path):
    deep = "".join(f"{'  ' * i}k:\n" for i in range(yamlsource.MAX_DEPTH + 5))
    assert "nested too deeply" in refusal(write(tmp_path, deep)).message


def test_an_unreadable_path_is_an_error_not_a_crash(tmp_path):
    error = refusal(tmp_path / "missing.yaml")
    assert "cannot read" in error.message
