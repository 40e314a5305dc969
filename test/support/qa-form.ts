/** A campaign's evaluation form, as a manager defines it through the API (QA tests, API and browser). */
export const COLLECTIONS_FORM = {
  name: 'collections call',
  passMark: 70,
  criteria: [
    { id: 'greeting', label: 'Greets and names the company', weight: 1, maxPoints: 5 },
    { id: 'disclosure', label: 'States the debt disclosure', weight: 3, maxPoints: 5 },
  ],
};
