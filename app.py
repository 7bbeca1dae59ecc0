"""杭州信息化问答 web app: `python app.py [--corpus DIR] [--index DIR] [--host H] [--port P]` (same as `qa serve`)."""
from qa.app.webapp import main

if __name__ == "__main__":
    main()
