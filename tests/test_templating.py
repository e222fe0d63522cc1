"""How dates and times read in pages and e-mails."""
from datetime import time

from app.templating import french_time


def test_times_read_as_written_in_french_without_a_leading_zero():
    assert french_time(time(9, 0)) == "9\u00a0h"
    assert french_time(time(9, 5)) == "9\u00a0h\u00a005"
    assert french_time(time(17, 30)) == "17\u00a0h\u00a030"
