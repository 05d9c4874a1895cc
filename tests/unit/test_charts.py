"""The chart core: bytes of each format, stable output, and a cache that renders once."""

from __future__ import annotations

from qms.charts import ChartCache, Figure, cache_key, new_figure, render


def _bars(values: list[float]) -> Figure:
    fig = new_figure()
    ax = fig.add_subplot()
    ax.bar(["Vadība", "Klienti"], values)
    return fig


def test_each_format_has_its_own_signature() -> None:
    fig = _bars([40.0, 70.0])
    assert render(fig, "svg").startswith(b"<svg")
    assert render(fig, "png").startswith(b"\x89PNG")
    assert render(fig, "pdf").startswith(b"%PDF")


def test_svg_keeps_latvian_text_as_text_and_the_same_data_gives_the_same_bytes() -> None:
    first = render(_bars([40.0, 70.0]), "svg")
    assert "Vadība".encode() in first
    assert render(_bars([40.0, 70.0]), "svg") == first
    assert render(_bars([40.0, 71.0]), "svg") != first


def test_cache_renders_once_per_key_and_format_and_forgets_the_oldest() -> None:
    cache = ChartCache(capacity=2)
    builds: list[int] = []

    def build() -> Figure:
        builds.append(1)
        return _bars([1.0, 2.0])

    key = cache_key("bars", {"cycle": 1, "version": 3})
    one = cache.get_or_render(key, "svg", build)
    assert cache.get_or_render(key, "svg", build) == one
    assert len(builds) == 1
    cache.get_or_render(key, "png", build)
    cache.get_or_render(cache_key("bars", {"cycle": 2}), "svg", build)
    assert len(cache) == 2
    cache.get_or_render(key, "svg", build)  # pushed out by the two newer ones
    assert len(builds) == 4
    assert cache_key("bars", {"cycle": 1, "version": 3}) != cache_key("bars", {"cycle": 1})
