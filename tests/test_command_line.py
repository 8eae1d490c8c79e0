"""What the `goedeburen` command says to arguments it cannot use, before any command runs."""

import os

import pytest

from goedeburen import __main__


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["recount", "--event", "a\xff"], id="latin-1-slug"),
        pytest.param(["demo_account", "--password", "\xed\xa0\x80"], id="utf-8-surrogate"),
    ],
)
def test_an_argument_that_is_no_utf8_text_is_refused_without_a_traceback(monkeypatch, args):
    # As Python hands over bytes of the command line that are no UTF-8: lone surrogates.
    given = [os.fsdecode(arg.encode("latin-1")) for arg in args]
    monkeypatch.setattr("sys.argv", ["goedeburen", *given])

    with pytest.raises(SystemExit) as stopped:
        __main__.main()

    bad = repr(args[-1].encode("latin-1"))
    said = f"goedeburen: the argument {bad} is no UTF-8 text; give it in UTF-8."
    assert stopped.value.code == said
