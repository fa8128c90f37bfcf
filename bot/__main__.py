from bot.cli import main

# Guarded: `serve --workers N` starts its workers with multiprocessing's "spawn", which
# imports this module again in each worker (as __mp_main__), where it must not run the CLI.
if __name__ == "__main__":
    raise SystemExit(main())
