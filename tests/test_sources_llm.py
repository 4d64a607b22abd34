"""LLM sampling against a real OpenAI-compatible server process on loopback (tests/support/openai_server.py)."""
from __future__ import annotations

import os
import subprocess
import sys

import apache_beam as beam
import httpx
import pytest
from apache_beam.testing.util import assert_that, equal_to

from schemas import CandidateSpec, Task, TestSpec
from transforms.sources.llm import (
    HTTPEngine, LLMConfig, LLMError, Request, SampleCandidates, SynthesisPolicy, SynthesizeInstructions, extract_code,
)

SERVER = os.path.join(os.path.dirname(__file__), "support", "openai_server.py")
CORPUS = "/work/shared/data/mceval/Python.jsonl"


@pytest.fixture(scope="module")
def endpoint():
    proc = subprocess.Popen([sys.executable, SERVER, "--corpus", CORPUS, "--delay", "0.05"],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("PORT "), line
        yield f"http://127.0.0.1:{int(line.split()[1])}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _stats(endpoint: str, reset: bool = False) -> dict:
    return httpx.get(endpoint.removesuffix("/v1") + "/stats" + ("?reset=1" if reset else "")).json()


def _config(endpoint: str, **kw) -> LLMConfig:
    return LLMConfig(**{"model": "char-ngram", "endpoint": endpoint, "max_tokens": 48, "backoff_seconds": 0.01,
                        "temperature": 0.7, **kw})


def test_chat_and_completions_are_deterministic(endpoint):
    engine = HTTPEngine(_config(endpoint))
    first = engine.complete([Request("def add(a, b):\n", n=2), Request("def add(a, b):\n", n=2, seed=1)])
    again = engine.complete([Request("def add(a, b):\n", n=2)])
    assert first[0] == again[0] and len(first[0]) == 2 and all(len(t) == 48 for t in first[0])
    assert first[0] != first[1]  # the seed changes the sample
    completions = HTTPEngine(_config(endpoint, api="completions")).complete([Request("for i in range(")])
    assert len(completions[0]) == 1 and len(completions[0][0]) == 48


def test_retries_after_429_and_500(endpoint):
    _stats(endpoint, reset=True)
    engine = HTTPEngine(_config(endpoint, headers=(("X-Fail-First", "2"),), max_retries=3))
    reply = engine.complete([Request("while True:\n")])
    assert isinstance(reply[0], list) and len(reply[0][0]) == 48
    assert _stats(endpoint)["requests"] == 3  # 429, 500, then served
    stubborn = HTTPEngine(_config(endpoint, headers=(("X-Fail-First", "9"),), max_retries=2))
    error = stubborn.complete([Request("import os\n")])[0]
    assert isinstance(error, LLMError) and "after 3 attempt(s)" in str(error) and "HTTP 429" in str(error)


def test_a_reply_without_choices_is_an_error_not_a_crash(endpoint):
    engine = HTTPEngine(_config(endpoint, headers=(("X-Malformed", "1"),)))
    error = engine.complete([Request("x = 1\n")])[0]
    assert isinstance(error, LLMError) and "without OpenAI-style choices" in str(error)


def test_concurrency_limit_holds(endpoint):
    engine = HTTPEngine(_config(endpoint, concurrency=3))
    _stats(endpoint, reset=True)
    replies = engine.complete([Request(f"x = {i}\n") for i in range(12)])
    stats = _stats(endpoint)
    assert all(isinstance(r, list) for r in replies) and stats["served"] == 12
    assert stats["max_in_flight"] == 3


def test_cache_answers_repeated_requests_without_http(endpoint, tmp_path):
    config = _config(endpoint, cache_path=str(tmp_path / "cache.sqlite"))
    requests = [Request(f"def f{i}():\n", n=2) for i in range(4)]
    _stats(endpoint, reset=True)
    first = HTTPEngine(config).complete(requests)
    assert _stats(endpoint)["requests"] == 4
    second = HTTPEngine(config).complete(requests + [Request("def g():\n")])
    assert second[:4] == first and _stats(endpoint)["requests"] == 5  # only the new request went out


def _task(i: int) -> Task:
    return Task(task_id=f"t{i}", language="Python", prompt=f"Complete f{i}:\ndef f{i}(numbers):\n    total = ",
                tests=TestSpec(code=f"assert f{i}() == {i}\n"),
                candidates=[CandidateSpec(code=f"def f{i}():\n    return {i}\n", origin="reference")])


def test_beam_sampling_adds_model_candidates(endpoint, tmp_path):
    config = _config(endpoint, cache_path=str(tmp_path / "c.sqlite"), batch_size=2)
    with beam.Pipeline(runner="DirectRunner") as p:
        out = p | beam.Create([_task(i) for i in range(3)]) | SampleCandidates(config, n=2)
        shapes = out["tasks"] | beam.Map(lambda t: (t.task_id, [c.origin for c in t.candidates]))
        assert_that(shapes, equal_to([(f"t{i}", ["reference", "llm", "llm"]) for i in range(3)]))
        assert_that(out["dead_letters"], equal_to([]), label="none dropped")
    counters = {r.key.metric.name: r.committed for r in p.result.metrics().query()["counters"]}
    assert counters.get("sources.llm.unusable_reply", 0) == 0


def test_beam_synthesis_replaces_the_template_prompt(endpoint):
    meta = {"message": "Speed up the loop", "path": "a.py"}
    task = Task(task_id="c1", language="Python", prompt="template", tests=TestSpec(), candidates=[
        CandidateSpec(code="x = [i for i in range(9)]\n", origin="commit_old", metadata=meta),
        CandidateSpec(code="x = list(range(9))\n", origin="commit_new", metadata=meta)])
    config = _config(endpoint)
    expected = HTTPEngine(config).complete([SynthesisPolicy(config).request(task)])[0][0].strip()
    with beam.Pipeline(runner="DirectRunner") as p:
        out = p | beam.Create([task]) | SynthesizeInstructions(config)
        assert_that(out["tasks"] | beam.Map(lambda t: t.prompt), equal_to([expected]))


def test_failed_requests_keep_the_task_and_leave_a_dead_letter(endpoint):
    config = _config(endpoint, headers=(("X-Fail-First", "9"),), max_retries=1)
    with beam.Pipeline(runner="DirectRunner") as p:
        out = p | beam.Create([_task(7)]) | SampleCandidates(config, n=1)
        assert_that(out["tasks"] | beam.Map(lambda t: len(t.candidates)), equal_to([1]))
        assert_that(out["dead_letters"] | beam.Map(lambda d: (d.reason, d.record_id)), equal_to([("llm_error", "t7")]),
                    label="dead")


def test_extract_code_and_config_errors():
    assert extract_code("Here:\n```python\ndef f():\n    return 1\n```\nDone") == "def f():\n    return 1"
    assert extract_code("def g(): pass\n") == "def g(): pass"
    with pytest.raises(ValueError, match="needs an endpoint"):
        LLMConfig(model="m")
    with pytest.raises(ValueError, match="use 'chat' or 'completions'"):
        LLMConfig(model="m", endpoint="http://x/v1", api="edits")


@pytest.mark.gpu
def test_offline_vllm_engine_matches_its_own_cache(tmp_path):
    pytest.importorskip("vllm")
    from transforms.sources.llm import VLLMEngine
    model = os.environ.get("THEMIS_VLLM_MODEL")
    if not model:
        pytest.skip("set THEMIS_VLLM_MODEL to a local model directory")
    config = LLMConfig(model=model, engine="vllm", max_tokens=32, cache_path=str(tmp_path / "c.sqlite"))
    engine = VLLMEngine(config)
    first = engine.complete([Request("def fib(n):", n=2)])
    assert len(first[0]) == 2 and engine.complete([Request("def fib(n):", n=2)]) == first
