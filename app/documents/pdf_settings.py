"""reportlab settings shared by every PDF: imported before any PDF is written."""
from reportlab import rl_config

# Compressed PDF streams stay binary rather than being spelled out in ASCII85: a quarter
# smaller, and reportlab's pure-Python ASCII85 encoder is slow on thousands of badges.
rl_config.useA85 = 0
