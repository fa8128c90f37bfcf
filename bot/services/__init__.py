"""The domain. Services take a SQLAlchemy Session and plain values, return plain
values or dataclasses, raise DomainError subclasses, and never import slack_bolt."""
