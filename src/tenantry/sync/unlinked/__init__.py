"""Partner Center accounts no organization holds: the list, the count in the menu, the daily
email."""
