"""杭州信息化问答 web app: `python app.py [--corpus DIR] [--index DIR] [--host H] [--port P]`, the same command as
`qa serve` (one entry point: `qa.app.cli.serve_command`)."""
import sys

from qa.app.cli import serve_command

if __name__ == "__main__":
    serve_command.main(sys.argv[1:], prog_name="app.py")
