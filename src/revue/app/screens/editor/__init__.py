"""Writing and correcting a contract in the app (issue 17): the editor screen, the new
contract dialog, and deleting a contract or a projet académique from the contract list."""
