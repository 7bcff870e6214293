"""The HCL encoder: nasty strings, identifiers, values; checked by terraform itself."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import unicodedata

import hcl2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import RenderError
from generator.hcl import Expr, encode, ident, quote
from tests.support import require_terraform

NASTY = [
    "",
    "plain",
    'say "hi"',
    "back\\slash",
    "trailing backslash\\",
    '\\"',
    "line\nbreak",
    "cr\rlf\r\n",
    "tab\there",
    "${var.secret}",
    "%{ if true }x%{ endif }",
    "$${already escaped}",
    "$$${x}",
    "100%{",
    "$",
    "%",
    "{}",
    '}"\n# not a comment',
    "\x00\x01\x1f\x7f",
    "unicode é ü 中文 🎉",
    "\u2028\u2029",
    "<<EOF\nheredoc?\nEOF",
]


def terraform_values(encoded: list[str], tmp_path) -> list[str]:
    """Ask the real terraform what each encoded literal evaluates to."""
    tf = require_terraform()
    # base64 keeps console's own string escaping out of the way
    expr = "base64encode(jsonencode([" + ", ".join(encoded) + "]))"
    proc = subprocess.run(
        [tf, "console"],
        input=expr,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "TF_CLI_CONFIG_FILE": "/dev/null", "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(base64.b64decode(proc.stdout.strip().strip('"')))


def hcl_unescape(body: str) -> str:
    """Undo HCL string escapes (independent of generator.hcl): for hcl2's raw values."""
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1]
            if nxt == "u":
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
                continue
            out.append({"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}[nxt])
            i += 2
            continue
        if body.startswith("$${", i) or body.startswith("%%{", i):
            out.append(body[i + 1 : i + 3])
            i += 3
            continue
        out.append(ch)
        i += 1
    return "".join(out)


@pytest.mark.terraform
def test_nasty_strings_round_trip_through_terraform(tmp_path):
    assert terraform_values([quote(s) for s in NASTY], tmp_path) == NASTY


@pytest.mark.parametrize("text", NASTY)
def test_nasty_strings_parse_back_with_hcl2(text):
    # bc-python-hcl2 returns string bodies raw (escapes kept)
    parsed = hcl2.load(io.StringIO(f"x = {quote(text)}\n"))
    assert hcl_unescape(parsed["x"][0][1:-1] if parsed["x"][0].startswith('"') else parsed["x"][0]) == text


@pytest.mark.terraform
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=40), min_size=1, max_size=25))
def test_any_string_round_trips_through_terraform(tmp_path, texts):
    # Terraform NFC-normalizes strings; the encoder writes that form up front
    assert terraform_values([quote(t) for t in texts], tmp_path) == [unicodedata.normalize("NFC", t) for t in texts]


@pytest.mark.terraform
def test_encoder_writes_what_terraform_will_use_for_non_nfc_text(tmp_path):
    compatibility_ideograph = "\uf9e0"  # NFC: U+6613
    assert quote(compatibility_ideograph) == '"\u6613"'
    assert terraform_values([quote(compatibility_ideograph)], tmp_path) == ["\u6613"]


def test_interpolation_is_never_live():
    # no `${` or `%{` is left in the file: Checkov's grammar cannot read `$${` everywhere
    assert quote("${aws_secret}") == '"\\u0024{aws_secret}"'
    assert quote("%{for x in y}") == '"\\u0025{for x in y}"'
    assert quote("$${x} %%{y}") == '"$\\u0024{x} %\\u0025{y}"'


@pytest.mark.parametrize(
    "value, expected",
    [
        (True, "true"),
        (False, "false"),
        (None, "null"),
        (3, "3"),
        (0.25, "0.25"),
        (2.0, "2"),
        (["a", "b"], '["a", "b"]'),
        ([], "[]"),
        ({}, "{}"),
        ({"b": 1, "a": "x"}, '{\na = "x"\nb = 1\n}'),
        ({"not-an-ident.key": 1}, '{\n"not-an-ident.key" = 1\n}'),
        (Expr("aws_iam_role.this.arn"), "aws_iam_role.this.arn"),
    ],
)
def test_encode_values(value, expected):
    assert encode(value) == expected


def test_encode_rejects_unknown_types_and_nan():
    with pytest.raises(RenderError):
        encode(object())
    with pytest.raises(RenderError):
        encode(float("nan"))


@pytest.mark.parametrize("name", ["this", "task_exec", "a-b", "_x"])
def test_ident_accepts_identifiers(name):
    assert ident(name) == name


@pytest.mark.parametrize("name", ["", "1abc", "a b", 'x"', "a.b", "${x}", "é", "abc\n", "abc\r", "abc\u2028"])
def test_ident_rejects_everything_else(name):
    with pytest.raises(RenderError):
        ident(name)


def _quote_one_character_at_a_time(text: str) -> str:
    """quote()'s escaping as the per-character loop writes it (its fast path must agree)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        code = ord(ch)
        if ch in '\\"\n\r\t':
            out.append({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0 or ch in "\u2028\u2029":
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out).replace("${", "\\u0024{").replace("%{", "\\u0025{") + '"'


@settings(max_examples=2000)
@given(
    st.lists(st.characters(max_codepoint=0x2100) | st.sampled_from(["${", "%{", "e\u0301"]), max_size=12).map("".join)
)
def test_the_fast_path_for_plain_strings_writes_what_the_escaping_loop_writes(text):
    assert quote(text) == _quote_one_character_at_a_time(text)
