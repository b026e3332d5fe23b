"""File formats the roster optimizer reads and writes, and conversions between them.

Curtois & Qu benchmark text (`curtois`), the Timefold quickstart's JSON (`timefold`), a roster
CSV (`roster_csv`), and `convert.convert_file`, which picks one by extension and content.
"""
