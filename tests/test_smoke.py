import newskit
from conftest import SEEDS


def test_seed_loads():
    corpus = newskit.load_corpus(SEEDS)
    assert len(corpus) == 1
