#!/usr/bin/env python
from familiebro.__main__ import main

if __name__ == "__main__":
    main()
