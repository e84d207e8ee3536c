"""datasketch driver, README way: one MinHash.update() call per shingle.

The same run as driver_datasketch.py but for how the shingles reach the
MinHash: the loop of datasketch's README instead of update_batch.
"""

import driver_datasketch

if __name__ == "__main__":
    driver_datasketch.main(update="loop")
