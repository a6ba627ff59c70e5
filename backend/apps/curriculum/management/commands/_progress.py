"""A progress bar for long commands: shown on a terminal, silent in logs and tests."""

from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress_bar(total: int, description: str, stream):
    bar = tqdm(total=total, desc=description, unit="file", file=stream, disable=None, leave=False)
    try:
        yield lambda label: (bar.set_postfix_str(label[:40], refresh=False), bar.update(1))
    finally:
        bar.close()
