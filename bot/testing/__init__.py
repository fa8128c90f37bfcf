"""A local stand-in for Slack, used by the tests and by `mentorbot demo`.

`fake_slack.FakeSlack` answers the Web API like Slack would and remembers every
message, modal and home tab; `driver.SlackDriver` plays the people, sending
signed slash commands, clicks, submissions and events to the real Bolt app."""
